// A resident's PHQ-9 and GAD-7 totals over time, as two lines with the band limits marked.
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("score-trend");
    var source = document.getElementById("score-trend-data");
    if (!box || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 36, right: 16, top: 32, bottom: 28 },
      xAxis: { type: "time" },
      yAxis: { type: "value", min: 0, max: 27, interval: 5 },
      series: [
        {
          name: box.dataset.phq9Label, type: "line", data: data.phq9, symbolSize: 8,
          markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#adb5bd" },
                      data: [{ yAxis: 10 }, { yAxis: 20 }] },
        },
        { name: box.dataset.gad7Label, type: "line", data: data.gad7, symbolSize: 8 },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
