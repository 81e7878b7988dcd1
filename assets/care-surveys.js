// Draws the survey scores' monthly trend with ECharts (data-months: [[month, index, top-box
// percent, NPS], …]; the series' names come from data-index and data-top-box).
(function () {
  if (!window.echarts) return;
  var chart = document.getElementById("survey-trend");
  if (!chart) return;
  var rows = JSON.parse(chart.dataset.months || "[]");
  var trend = echarts.init(chart);
  trend.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 40, top: 30, bottom: 30 },
    xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }) },
    yAxis: [
      { type: "value", min: 0, max: 100 },
      { type: "value", min: -100, max: 100, name: "NPS" }
    ],
    series: [
      { name: chart.dataset.index || "index", type: "line", connectNulls: true, showSymbol: true, symbolSize: 8, data: rows.map(function (r) { return r[1]; }) },
      { name: chart.dataset.topBox || "top box", type: "line", connectNulls: true, showSymbol: true, symbolSize: 8, data: rows.map(function (r) { return r[2]; }) },
      { name: "NPS", type: "bar", yAxisIndex: 1, data: rows.map(function (r) { return r[3]; }) }
    ]
  });
  window.addEventListener("resize", function () { trend.resize(); });
})();
