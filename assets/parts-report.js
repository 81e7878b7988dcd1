// Draws the parts report's charts with ECharts: the ABC classes' issue and stock value
// (data-abc: [[class, parts, issue value fen, stock value fen], …]) and the issue value per
// month (data-months: [[month, issue value fen], …]).
(function () {
  if (!window.echarts) return;
  var yuan = function (fen) { return Math.round(fen) / 100; };
  var abc = document.getElementById("abc-chart");
  if (abc) {
    var classes = JSON.parse(abc.dataset.abc || "[]");
    var abcChart = echarts.init(abc);
    abcChart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 10, top: 30, bottom: 30 },
      xAxis: { type: "category", data: classes.map(function (c) { return c[0]; }) },
      yAxis: { type: "value", axisLabel: { formatter: "¥{value}" } },
      series: [
        { name: "出库金额 issued", type: "bar", data: classes.map(function (c) { return yuan(c[2]); }) },
        { name: "库存金额 in stock", type: "bar", data: classes.map(function (c) { return yuan(c[3]); }) }
      ]
    });
    window.addEventListener("resize", function () { abcChart.resize(); });
  }
  var months = document.getElementById("months-chart");
  if (months) {
    var rows = JSON.parse(months.dataset.months || "[]");
    var monthChart = echarts.init(months);
    monthChart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 10, top: 20, bottom: 30 },
      xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }) },
      yAxis: { type: "value", axisLabel: { formatter: "¥{value}" } },
      series: [{ name: "出库金额 issued", type: "bar", data: rows.map(function (r) { return yuan(r[1]); }) }]
    });
    window.addEventListener("resize", function () { monthChart.resize(); });
  }
})();
