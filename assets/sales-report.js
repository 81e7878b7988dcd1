// Draws the sales report's charts with ECharts: the funnel (data-funnel: [[label, count], …])
// and defeats by reason (data-bars: [[label, count], …]).
(function () {
  if (!window.echarts) return;
  var funnel = document.getElementById("funnel-chart");
  if (funnel) {
    var stages = JSON.parse(funnel.dataset.funnel || "[]");
    var chart = echarts.init(funnel);
    chart.setOption({
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      series: [{
        type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "10%",
        label: { show: true, position: "inside", formatter: "{b} {c}" },
        data: stages.map(function (s) { return { name: s[0], value: s[1] }; })
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var defeats = document.getElementById("defeat-chart");
  if (defeats) {
    var bars = JSON.parse(defeats.dataset.bars || "[]");
    var barChart = echarts.init(defeats);
    barChart.setOption({
      grid: { left: 80, right: 20, top: 10, bottom: 30 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: bars.map(function (b) { return b[0]; }) },
      series: [{ type: "bar", data: bars.map(function (b) { return b[1]; }) }]
    });
    window.addEventListener("resize", function () { barChart.resize(); });
  }
})();
