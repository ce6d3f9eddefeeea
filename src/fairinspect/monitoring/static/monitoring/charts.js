// Draws each point's recent readings with ECharts; the data comes from json_script tags
// (no inline script: the Content-Security-Policy allows only this file).
(function () {
  "use strict";
  function draw(el) {
    var cfg = JSON.parse(document.getElementById(el.dataset.source).textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var lines = [];
    var names = { low_low: "低低限", low: "低限", high: "高限", high_high: "高高限" };
    Object.keys(names).forEach(function (k) {
      if (cfg.limits[k] !== null) {
        lines.push({ yAxis: cfg.limits[k], name: names[k], label: { formatter: names[k] + " " + cfg.limits[k] } });
      }
    });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 64, top: 24, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time", splitNumber: 4, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", name: cfg.unit, scale: true },
      series: [{
        name: cfg.code, type: "line", showSymbol: false, data: cfg.data,
        markLine: { symbol: "none", lineStyle: { type: "dashed", color: "#b3131b" }, data: lines }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
