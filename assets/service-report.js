// Draws the service report's charts with ECharts: efficiency and productivity per row
// (data-rates: [[label, efficiency bp, productivity bp], …]) and the reception plan
// (data-plan: [[hour, arrivals per hour, advisors needed], …]).
(function () {
  if (!window.echarts) return;
  var percent = function (bp) { return bp == null ? null : bp / 100; };
  var rates = document.getElementById("rates-chart");
  if (rates) {
    var rows = JSON.parse(rates.dataset.rates || "[]");
    var chart = echarts.init(rates);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 30, bottom: 30 },
      xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }) },
      yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: [
        { name: "效率 efficiency", type: "bar", data: rows.map(function (r) { return percent(r[1]); }) },
        { name: "生产率 productivity", type: "bar", data: rows.map(function (r) { return percent(r[2]); }) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var plan = document.getElementById("capacity-chart");
  if (plan) {
    var hours = JSON.parse(plan.dataset.plan || "[]");
    var planChart = echarts.init(plan);
    planChart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 40, top: 30, bottom: 30 },
      xAxis: { type: "category", data: hours.map(function (h) { return h[0] + ":00"; }) },
      yAxis: [{ type: "value", name: "/h" }, { type: "value", minInterval: 1 }],
      series: [
        { name: "到店 arrivals", type: "bar", data: hours.map(function (h) { return h[1]; }) },
        { name: "所需顾问 advisors", type: "line", step: "middle", yAxisIndex: 1, data: hours.map(function (h) { return h[2]; }) }
      ]
    });
    window.addEventListener("resize", function () { planChart.resize(); });
  }
})();
