// Who is in an experiment (issue 21): its share of traffic, its layer range and its targeting, as one line of text.
export function whoIsIn(e) {
  const layerShare = e.layer ? (e.layer.range[1] - e.layer.range[0]) / 10000 : 1;
  const parts = [`share of users ${+(layerShare * e.trafficPercent).toFixed(2)}%`];
  if (e.layer) parts.push(`layer ${e.layer.id} [${e.layer.range[0]}, ${e.layer.range[1]})`);
  parts.push(`traffic ${e.trafficPercent}%`);
  parts.push(e.targeting ? `targeting ${JSON.stringify(e.targeting)}` : 'no targeting');
  return parts.join(' · ');
}
