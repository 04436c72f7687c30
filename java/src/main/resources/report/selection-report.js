// Draws the selection report from the JSON embedded in the page (selection.json without the id lists; see
// SelectionReport.java and SelectionComparison.java for its shape).
(function () {
  Chart.defaults.animation = false;   // static: a print or a screenshot shows the final values
  const data = JSON.parse(document.getElementById('data').textContent);
  const run = data.run || {};
  const strategies = data.strategies;
  const names = strategies.map(s => s.strategy);
  const LABEL = { TEACHER: '#1f77b4', COMMON: '#8c8c8c', STUDENT: '#ff7f0e' };
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  const colorOf = i => PALETTE[i % PALETTE.length];
  const f2 = x => (x == null ? '–' : x.toFixed(2));
  const pct = x => (x == null ? '–' : (100 * x).toFixed(1) + '%');
  const esc = s => String(s).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const all = data.candidates;
  const hasGrape = strategies.some(s => 'mean_grape_score' in s);

  document.getElementById('meta').textContent =
    `${all.candidates} candidates, ${all.sentences} sentences; K = ${run.per_question} per question; ` +
    `β = ${run.beta == null ? '–' : Number(run.beta.toPrecision(6))} (${run.beta_mode === 'auto' ? 'chosen from the data' : 'given'}); ` +
    `output strategy: ${run.strategy}; ${run.skipped_count || 0} lines skipped.`;

  // summary table: one row per strategy, then all candidates
  const rows = strategies.map(s => [s.strategy, s]).concat([['all candidates', all]]);
  const head = ['strategy', 'selected', 'questions', 'Teacher', 'Common', 'Student', 'Teacher ratio', 'pooled Teacher',
    'chars (mean)'].concat(hasGrape ? ['GRAPE score'] : []).concat(['ranking']);
  document.getElementById('summaryTable').innerHTML = '<table><tr>' + head.map(h => `<th>${h}</th>`).join('') + '</tr>' +
    rows.map(([n, s]) => `<tr class="${n === run.strategy ? 'primary' : ''}"><th>${esc(n)}</th><td>${s.candidates}</td>` +
      `<td>${s.questions == null ? '–' : s.questions}</td><td>${f2(s.mean_teacher_count)}</td><td>${f2(s.mean_common_count)}</td>` +
      `<td>${f2(s.mean_student_count)}</td><td>${pct(s.mean_teacher_ratio)}</td><td>${pct(s.teacher_fraction)}</td>` +
      `<td>${Math.round(s.mean_response_chars)}</td>` + (hasGrape ? `<td>${s.mean_grape_score == null ? '–' : s.mean_grape_score.toFixed(3)}</td>` : '') +
      `<td class="rule">${esc(s.rule || '')}</td></tr>`).join('') + '</table>';

  // grouped bars: mean counts and mean ratios per strategy (+ all candidates)
  const groups = names.concat(['all candidates']);
  const pick = (key) => strategies.map(s => s[key]).concat([all[key]]);
  const grouped = (id, keys, title, max) => new Chart(document.getElementById(id), {
    type: 'bar',
    data: { labels: groups, datasets: keys.map(([label, key]) => ({ label, backgroundColor: LABEL[label], data: pick(key) })) },
    options: { maintainAspectRatio: false, plugins: { title: { display: true, text: title } },
      scales: { y: Object.assign({ beginAtZero: true }, max ? { max } : {}) } }
  });
  grouped('counts', [['TEACHER', 'mean_teacher_count'], ['COMMON', 'mean_common_count'], ['STUDENT', 'mean_student_count']],
    'mean sentences per selected response');
  grouped('ratios', [['TEACHER', 'mean_teacher_ratio'], ['COMMON', 'mean_common_ratio'], ['STUDENT', 'mean_student_ratio']],
    'mean share of the response\'s sentences', 1);

  // response length: interquartile range as a floating bar, median and mean as points
  const q = s => s.response_chars_quantiles || {};
  new Chart(document.getElementById('lengths'), {
    data: { labels: names, datasets: [
      { type: 'bar', label: 'p25 – p75', backgroundColor: '#9ecae1', data: strategies.map(s => [q(s).p25, q(s).p75]) },
      { type: 'scatter', label: 'median', backgroundColor: '#08519c', pointStyle: 'line', pointRadius: 14, borderWidth: 3, borderColor: '#08519c',
        data: strategies.map((s, i) => ({ x: names[i], y: q(s).median })) },
      { type: 'scatter', label: 'mean', backgroundColor: '#d62728', pointRadius: 5, data: strategies.map((s, i) => ({ x: names[i], y: s.mean_response_chars })) },
      { type: 'scatter', label: 'min / max', backgroundColor: '#555', pointStyle: 'crossRot', pointRadius: 6,
        data: strategies.flatMap((s, i) => [{ x: names[i], y: q(s).min }, { x: names[i], y: q(s).max }]) }] },
    options: { maintainAspectRatio: false, plugins: { title: { display: true, text: 'response length of the selected candidates (code points)' } },
      scales: { x: { type: 'category', labels: names }, y: { beginAtZero: true } } }
  });
  document.getElementById('lengthNote').textContent =
    `All candidates: mean ${Math.round(all.mean_response_chars)} code points.` +
    (hasGrape ? ' GRAPE score: mean log-prob of the response\'s tokens under the student (higher = lower perplexity).' : '');
  const grapeCanvas = document.getElementById('grape');
  if (hasGrape) {
    new Chart(grapeCanvas, {
      type: 'bar',
      data: { labels: groups, datasets: [{ label: 'mean GRAPE score', backgroundColor: '#2ca02c', data: pick('mean_grape_score') }] },
      options: { maintainAspectRatio: false, plugins: { title: { display: true, text: 'mean GRAPE score (log-prob per token under the student)' } } }
    });
  } else {
    grapeCanvas.parentNode.innerHTML = '<p class="note">No GRAPE scores in this run (use --compare-all or --strategy grape).</p>';
  }

  // overlap: heatmap table and bars of each strategy's overlap with the output strategy
  const ov = data.overlap;
  const heat = v => `rgba(31,119,180,${(0.1 + 0.8 * v).toFixed(2)})`;
  document.getElementById('overlapTable').innerHTML = '<table class="heat"><tr><th></th>' +
    ov.strategies.map(n => `<th>${esc(n)}</th>`).join('') + '</tr>' +
    ov.strategies.map((a, i) => `<tr><th>${esc(a)}</th>` + ov.jaccard[i].map((v, j) =>
      `<td style="background:${heat(v)};color:${v > 0.55 ? '#fff' : '#222'}">${v.toFixed(2)} (${ov.shared[i][j]})</td>`).join('') + '</tr>').join('') +
    '</table>';
  const pi = Math.max(0, ov.strategies.indexOf(run.strategy));
  new Chart(document.getElementById('overlap'), {
    type: 'bar',
    data: { labels: ov.strategies, datasets: [{ label: `Jaccard with ${ov.strategies[pi]}`,
      backgroundColor: ov.strategies.map((_, i) => colorOf(i)), data: ov.jaccard[pi] }] },
    options: { maintainAspectRatio: false, indexAxis: 'y', scales: { x: { min: 0, max: 1 } },
      plugins: { title: { display: true, text: `overlap with the output strategy (${ov.strategies[pi]})` } } }
  });

  // per-candidate Teacher counts: all candidates as bars, each strategy's picks as a line
  const values = data.teacher_count_values;
  const sets = [{ type: 'bar', label: 'all candidates', backgroundColor: '#c7c7c7', data: all.teacher_count_histogram, order: 2 }]
    .concat(strategies.map((s, i) => ({ type: 'line', label: s.strategy, data: s.teacher_count_histogram, borderColor: colorOf(i),
      backgroundColor: colorOf(i), tension: 0, pointRadius: 3 + (strategies.length - i), borderDash: i % 2 ? [6, 4] : [], order: 1 })));
  new Chart(document.getElementById('teacherCounts'), {
    data: { labels: values, datasets: sets },
    options: { maintainAspectRatio: false, scales: { x: { title: { display: true, text: 'Teacher sentences in the response' } },
      y: { beginAtZero: true, title: { display: true, text: 'candidates' } } } }
  });

  // skipped lines
  const skipped = run.skipped || [];
  document.getElementById('skipped').innerHTML = skipped.length === 0 ? '<p class="note">None.</p>' :
    '<table><tr><th>line</th><th>id</th><th>reason</th></tr>' + skipped.map(s =>
      `<tr><td>${s.line}</td><td>${s.id == null ? '–' : esc(s.id)}</td><td class="rule">${esc(s.reason)}</td></tr>`).join('') + '</table>' +
    (run.skipped_count > skipped.length ? `<p class="note">… and ${run.skipped_count - skipped.length} more (all in selection.json).</p>` : '');
})();
