// Draws the care report's charts with ECharts: each person's tasks as stacked bars
// (data-people: [[name, on time, late, unreached, overdue], …]) and message delivery by channel
// (data-channels: [[channel, sent, failed, pending, suppressed], …]); data-labels holds the
// series names in the page's language ([[people's four], [channels' four]]).
(function () {
  if (!window.echarts) return;
  var colours = [["#198754", "#ffc107", "#6c757d", "#dc3545"], ["#198754", "#dc3545", "#0dcaf0", "#adb5bd"]];
  function stacked(element, rows, names, palette) {
    var chart = echarts.init(element);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 30, bottom: 30 },
      xAxis: { type: "category", data: rows.map(function (r) { return r[0] || "—"; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: names.map(function (name, i) {
        return { name: name, type: "bar", stack: "all", itemStyle: { color: palette[i] },
          data: rows.map(function (r) { return r[i + 1]; }) };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var people = document.getElementById("people-chart");
  if (people) {
    var labels = JSON.parse(people.dataset.labels || "[[],[]]");
    stacked(people, JSON.parse(people.dataset.people || "[]"), labels[0], colours[0]);
  }
  var channels = document.getElementById("channels-chart");
  if (channels) {
    var names = JSON.parse(channels.dataset.labels || "[[],[]]");
    stacked(channels, JSON.parse(channels.dataset.channels || "[]"), names[1], colours[1]);
  }
})();
