// The contact chain of one case as an ECharts graph. The server sends flat arrays and the
// positions (concentric rings by degree), so the browser lays out nothing: it stays usable
// with tens of thousands of people. Small chains get a force layout and names.
(function () {
  "use strict";
  var FORCE_LIMIT = 150;
  var COLOURS = ["#b02a37", "#fd7e14", "#ffc107", "#6c757d", "#adb5bd"];

  function colour(degree) {
    if (degree < 0) return COLOURS[4];
    return COLOURS[Math.min(degree, 3)];
  }

  function draw(box, graph) {
    var nodes = [];
    var n = graph.nodes.length / 4;
    var degreeNames = graph.degrees;
    for (var i = 0; i < n; i++) {
      var d = graph.nodes[i * 4 + 2];
      nodes.push({
        id: String(i),
        name: graph.nodes[i * 4 + 3] || "",
        x: graph.nodes[i * 4],
        y: graph.nodes[i * 4 + 1],
        value: d,
        symbolSize: d === 0 ? 22 : n > 2000 ? 3 : 9,
        itemStyle: { color: colour(d) },
      });
    }
    var links = [];
    for (var j = 0; j < graph.edges.length; j += 3) {
      links.push({
        source: String(graph.edges[j]),
        target: String(graph.edges[j + 1]),
        value: graph.types[graph.edges[j + 2]],
      });
    }
    if (n <= 1) {
      box.textContent = box.dataset.empty;
      box.style.height = "auto";
      box.classList.add("text-muted", "p-3");
      return;
    }
    var small = n <= FORCE_LIMIT;
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: small,
      tooltip: {
        formatter: function (p) {
          if (p.dataType === "edge") return p.data.value;
          var label = p.data.value === 0 ? box.dataset.indexLabel : degreeNames[String(p.data.value)];
          return (p.data.name ? p.data.name + " · " : "") + (label || "");
        },
      },
      series: [
        {
          type: "graph",
          layout: small ? "force" : "none",
          force: { repulsion: 120, edgeLength: 60, initLayout: "none" },
          roam: true,
          draggable: small,
          data: nodes,
          links: links,
          label: { show: graph.labels, position: "right", fontSize: 11 },
          emphasis: { disabled: !small },
          lineStyle: { opacity: small ? 0.6 : 0.25, width: small ? 1.2 : 0.5 },
        },
      ],
    });
    box.dataset.nodes = String(n);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    var box = document.getElementById("chain-graph");
    if (!box || typeof echarts === "undefined") return;
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (graph) { draw(box, graph); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
