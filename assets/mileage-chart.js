// Draws the vehicle's odometer readings (data-points: [["2024-01-02", 12000], …]) with ECharts.
(function () {
  var element = document.getElementById("mileage-chart");
  if (!element || !window.echarts) return;
  var points = JSON.parse(element.dataset.points || "[]");
  var chart = echarts.init(element);
  chart.setOption({
    grid: { left: 60, right: 20, top: 20, bottom: 30 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "time" },
    yAxis: { type: "value", name: "km" },
    series: [{ type: "line", data: points, showSymbol: true }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
