// The supervisor's dashboard: draws the charts from the JSON the page embeds (json_script;
// no inline script, the CSP forbids it). A click on a bar or slice opens the records behind
// it. Without JavaScript the tables below each chart carry the same numbers and links.
(function () {
  "use strict";
  const el = document.getElementById("dashboard-data");
  if (!el || !window.echarts) return;
  const d = JSON.parse(el.textContent);
  const open = (url) => { if (url) window.location.href = url; };
  const chart = (id, option, links) => {
    const node = document.getElementById(id);
    if (!node) return;
    const c = window.echarts.init(node, null, { renderer: "svg" });
    c.setOption(Object.assign({ animation: false, tooltip: { trigger: "item" } }, option));
    c.on("click", (p) => open(links(p)));
    window.addEventListener("resize", () => c.resize());
  };
  const bar = (labels) => ({ type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } });
  chart("chart-caps", {
    legend: {}, grid: { containLabel: true }, xAxis: bar(d.caps.labels), yAxis: { type: "value" },
    series: d.caps.series.map((s) => ({ name: s.name, type: "bar", stack: "n", data: s.data })),
  }, (p) => d.caps.series[p.seriesIndex].links[p.dataIndex]);
  chart("chart-triggers", {
    series: [{ type: "pie", radius: "65%", data: d.triggers.map((t) => ({ name: t.name, value: t.value })) }],
  }, (p) => d.triggers[p.dataIndex].link);
  chart("chart-penalties", {
    legend: {}, grid: { containLabel: true }, xAxis: bar(d.penalties.labels),
    yAxis: [{ type: "value", name: "件" }, { type: "value", name: "元" }],
    series: [{ name: "案件数", type: "bar", data: d.penalties.counts },
             { name: "罚款合计", type: "line", yAxisIndex: 1, data: d.penalties.amounts }],
  }, (p) => d.penalties.links[p.dataIndex]);
  chart("chart-complaints", {
    legend: {}, grid: { containLabel: true }, xAxis: bar(d.complaints.labels), yAxis: { type: "value" },
    series: [{ name: "件数", type: "bar", data: d.complaints.counts },
             { name: "超期", type: "bar", data: d.complaints.overdue }],
  }, (p) => d.complaints.links[p.dataIndex]);
  chart("chart-breaches", {
    tooltip: { trigger: "axis" }, legend: { type: "scroll" }, grid: { containLabel: true },
    xAxis: { type: "category", data: d.breaches.months }, yAxis: { type: "value" },
    series: d.breaches.series.map((s) => ({ name: s.label, type: "line", data: s.data })),
  }, (p) => d.breaches.series[p.seriesIndex].link);
  chart("chart-ratings", {
    grid: { containLabel: true }, xAxis: bar(d.ratings.labels), yAxis: { type: "value" },
    series: [{ type: "bar", data: d.ratings.counts }],
  }, (p) => d.ratings.links[p.dataIndex]);
})();
