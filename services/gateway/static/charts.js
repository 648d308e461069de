/* Draws every chart of a page with ECharts from the JSON option embedded beside it:
   <div class="chart" data-chart="ID"> reads <script type="application/json" id="ID">. No other requests. */
(function () {
  "use strict";
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || typeof echarts === "undefined") { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(JSON.parse(source.textContent));
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
