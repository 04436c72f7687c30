// Which table cells do not fit their column: content wider than the cell, or a data cell (not a prose cell,
// td.rule) set on more than one line. As JSON in <body data-unfit>, for the headless browser test
// (ReportRenderingTest), which adds it to a copy of each report before opening it.
(function () {
  const unfit = [];
  document.querySelectorAll('td, th').forEach(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
    const wraps = lines > 1 && cell.tagName === 'TD' && !cell.classList.contains('rule');
    if (cell.scrollWidth > cell.clientWidth + 1 || wraps) unfit.push(cell.textContent.trim().slice(0, 60));
  });
  document.body.dataset.unfit = JSON.stringify(unfit);
})();
