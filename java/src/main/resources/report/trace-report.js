// Draws the trace report from the JSON embedded in the page (see TraceReport.java for its shape).
(function () {
  Chart.defaults.animation = false;   // static: a print or a screenshot shows the final values
  const data = JSON.parse(document.getElementById('data').textContent);
  const LABELS = ['SHARED', 'TEACHER', 'STUDENT', 'BOOSTED'];
  const COLOR = { SHARED: '#8c8c8c', TEACHER: '#1f77b4', STUDENT: '#ff7f0e', BOOSTED: '#2ca02c' };
  const alpha = (hex, a) => hex + Math.round(a * 255).toString(16).padStart(2, '0');
  const pct = x => (100 * x).toFixed(1) + '%';
  const m = data.meta;

  document.getElementById('meta').textContent =
    `${m.responses} responses, ${m.sentences} sentences (${m.unscored} unscored); ` +
    `α = ${m.alpha}, β = ${Number(m.beta.toPrecision(6))} (${m.betaMode}); correct ${m.correct}, incorrect ${m.incorrect}, unknown ${m.unknown}.`;
  document.getElementById('legend').innerHTML = LABELS.map(l =>
    `<span style="background:${alpha(COLOR[l], 0.35)}">${l}</span>`).join('');

  // labels overall and per group: stacked bars of fractions
  const groups = ['overall'].concat(Object.keys(data.byGroup));
  const frac = g => g === 'overall' ? data.overall : data.byGroup[g];
  new Chart(document.getElementById('labels'), {
    type: 'bar',
    data: { labels: groups, datasets: LABELS.map(l => ({ label: l, backgroundColor: COLOR[l],
      data: groups.map(g => frac(g).fractions[l]) })) },
    options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, max: 1, title: { display: true, text: 'fraction of sentences' } } } }
  });
  document.getElementById('labelTable').innerHTML = '<table><tr><th></th>' + LABELS.map(l => `<th>${l}</th>`).join('') +
    '<th>sentences</th></tr>' + groups.map(g => `<tr><th>${g}</th>` + LABELS.map(l =>
      `<td>${frac(g).counts[l]} (${pct(frac(g).fractions[l])})</td>`).join('') + `<td>${frac(g).labelled_sentences}</td></tr>`).join('') + '</table>';

  if (data.teachers) {   // several teachers: where the Teacher sentences came from
    document.getElementById('teacherTable').innerHTML = '<h2>Teachers</h2><p class="note">' + data.teacherRule + '</p><table><tr>' +
      '<th>teacher</th><th>folder</th><th>Teacher sentences</th><th>share of Teacher</th><th>share of labelled</th></tr>' +
      data.teachers.map(t => `<tr><th>${t.role}</th><td>${t.folder || ''}</td><td>${t.teacher_sentences}</td>` +
        `<td>${pct(t.share_of_teacher)}</td><td>${pct(t.share_of_labelled)}</td></tr>`).join('') + '</table>';
  }

  // position curves
  const pc = data.positions;
  const xs = Array.from({ length: pc.bins }, (_, i) => ((i + 0.5) / pc.bins).toFixed(3));
  const posSets = [];
  LABELS.forEach(l => {
    posSets.push({ label: l + ' (correct)', data: pc.correct[l], borderColor: COLOR[l], backgroundColor: COLOR[l], spanGaps: false });
    posSets.push({ label: l + ' (incorrect)', data: pc.incorrect[l], borderColor: COLOR[l], backgroundColor: COLOR[l], borderDash: [6, 4], spanGaps: false });
  });
  new Chart(document.getElementById('positions'), {
    type: 'line', data: { labels: xs, datasets: posSets },
    options: { maintainAspectRatio: false, scales: { x: { title: { display: true, text: 'relative position of the sentence in its response' } },
      y: { min: 0, max: 1, title: { display: true, text: 'fraction of sentences' } } } }
  });
  document.getElementById('areas').textContent = `Area between the correct and incorrect curves: ` +
    LABELS.map(l => `${l} ${pc.area[l] == null ? '–' : pc.area[l].toFixed(3)}`).join(', ') +
    ` (${pc.correctResponses} correct, ${pc.incorrectResponses} incorrect, ${pc.unknownResponses} unknown responses).`;

  // beta criterion with a marker at the β used
  const vline = { id: 'vline', afterDatasetsDraw(chart, args, opts) {
    if (opts.x == null) return;
    const x = chart.scales.x.getPixelForValue(opts.x), a = chart.chartArea, ctx = chart.ctx;
    ctx.save(); ctx.strokeStyle = '#d62728'; ctx.setLineDash([4, 3]); ctx.beginPath();
    ctx.moveTo(x, a.top); ctx.lineTo(x, a.bottom); ctx.stroke(); ctx.restore(); } };
  const cands = data.beta.candidates || [];
  new Chart(document.getElementById('beta'), {
    type: 'line',
    data: { datasets: [
      { label: "Otsu criterion σ_B² (left)", data: cands.map(c => ({ x: c.beta, y: c.criterion })), borderColor: '#333', pointRadius: 0, yAxisID: 'y' },
      { label: 'share of sentences with |Δ_TS| ≤ β (right)', data: cands.map(c => ({ x: c.beta, y: c.central_fraction })), borderColor: '#9467bd', pointRadius: 0, yAxisID: 'y2' }] },
    options: { maintainAspectRatio: false, plugins: { vline: { x: m.beta } },
      scales: { x: { type: 'linear', title: { display: true, text: 'candidate β' } }, y: { position: 'left' }, y2: { position: 'right', min: 0, max: 1, grid: { drawOnChartArea: false } } } },
    plugins: [vline]
  });
  document.getElementById('betaNote').textContent = data.beta.note;

  // histogram of Δ_TS stacked by label
  new Chart(document.getElementById('deltas'), {
    type: 'bar',
    data: { labels: data.deltaHistogram.centers.map(c => c.toFixed(2)),
      datasets: LABELS.map(l => ({ label: l, backgroundColor: COLOR[l], data: data.deltaHistogram.counts[l] })) },
    options: { maintainAspectRatio: false, scales: { x: { stacked: true, title: { display: true, text: 'Δ_TS = p_T − p_S' } },
      y: { stacked: true, title: { display: true, text: 'sentences' } } } }
  });

  // example responses: probability traces over label bands, then the highlighted text
  const bands = { id: 'bands', beforeDatasetsDraw(chart, args, opts) {
    const a = chart.chartArea, ctx = chart.ctx, x = chart.scales.x;
    opts.labels.forEach((l, i) => {
      if (!l) return;
      const x0 = x.getPixelForValue(i - 0.5), x1 = x.getPixelForValue(i + 0.5);
      ctx.fillStyle = alpha(COLOR[l], 0.18);
      ctx.fillRect(Math.max(x0, a.left), a.top, Math.min(x1, a.right) - Math.max(x0, a.left), a.bottom - a.top);
    }); } };
  const container = document.getElementById('examples');
  data.examples.forEach((ex, k) => {
    const div = document.createElement('div');
    div.className = 'example';
    const title = document.createElement('h3');
    title.textContent = `${ex.id} (${ex.group}, ${ex.correctness.toLowerCase()}, ${ex.sentences.length} sentences)`;
    div.appendChild(title);
    const box = document.createElement('div');
    box.className = 'chart';
    const canvas = document.createElement('canvas');
    box.appendChild(canvas);
    div.appendChild(box);
    const text = document.createElement('div');
    text.className = 'text';
    const cps = Array.from(ex.response);   // code points: offsets are code points, as in Python
    let at = 0;
    ex.sentences.forEach(s => {
      if (s.start > at) text.appendChild(document.createTextNode(cps.slice(at, s.start).join('')));
      const span = document.createElement('span');
      span.className = 's';
      span.textContent = cps.slice(s.start, s.end).join('');
      if (s.label) span.style.background = alpha(COLOR[s.label], 0.3);
      const f = p => p == null ? '–' : p.toFixed(3);
      span.title = `#${s.index} ${s.label || 'unscored'}: p_T ${f(s.pT)}, p_S ${f(s.pS)}, p_D ${f(s.pD)}`;
      text.appendChild(span);
      at = s.end;
    });
    if (at < cps.length) text.appendChild(document.createTextNode(cps.slice(at).join('')));
    div.appendChild(text);
    container.appendChild(div);
    const idx = ex.sentences.map(s => s.index);
    new Chart(canvas, {
      type: 'line',
      data: { labels: idx, datasets: [
        // line colours that are none of the label colours: the teacher line is never read as the Teacher band
        { label: 'p_T (teacher)', data: ex.sentences.map(s => s.pT), borderColor: '#000000', backgroundColor: '#000000', pointRadius: 2 },
        { label: 'p_S (student)', data: ex.sentences.map(s => s.pS), borderColor: '#777777', backgroundColor: '#777777', borderDash: [6, 4], pointRadius: 2 },
        { label: 'p_D (distilled)', data: ex.sentences.map(s => s.pD), borderColor: '#8c564b', backgroundColor: '#8c564b', borderDash: [2, 3], pointRadius: 2 }] },
      options: { maintainAspectRatio: false, animation: false, plugins: { bands: { labels: ex.sentences.map(s => s.label) } },
        scales: { x: { type: 'linear', min: -0.5, max: idx.length - 0.5, ticks: { stepSize: 1, precision: 0 }, title: { display: true, text: 'sentence' } },
          y: { min: 0, max: 1, title: { display: true, text: 'p (geometric mean of token probabilities)' } } } },
      plugins: [bands]
    });
  });
})();
