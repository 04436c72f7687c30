// What each chart drew, read back from its laid-out elements (each point's or bar top's pixel turned back into a
// value through the chart's own scale), not from its input: as JSON in <body data-rendered>. It runs right after
// the charts are made, so an animated chart would show its starting state here; a headless browser test compares
// these values with the numbers the report was made from (ReportRenderingTest).
(function () {
  const drawn = Object.values(Chart.instances).map(c => ({
    canvas: c.canvas.id || null,
    width: c.width,
    height: c.height,
    datasets: c.data.datasets.map((d, i) => {
      const meta = c.getDatasetMeta(i), scale = meta.vScale;
      return { label: d.label, values: meta.data.map(el => el.skip || !isFinite(el.y) ? null : scale.getValueForPixel(el.y)) };
    })
  }));
  document.body.dataset.rendered = JSON.stringify(drawn);
})();
