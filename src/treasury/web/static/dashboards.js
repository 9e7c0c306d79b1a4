// Draw each dashboard figure from its JSON spec with plotly.js (served from the Python wheel).
// Figures are drawn one after another, yielding to the browser in between, so the first one
// shows as soon as it is ready. A click on a mark of a drill-down figure sets its query
// parameter and reloads: the URL and the figure change together, so every view can be shared.
(function () {
  "use strict";
  var config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"] };

  function drillable(div, spec) {
    div.classList.add("drillable");
    div.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (!point || point.customdata === undefined || point.customdata === null) { return; }
      var url = new URL(window.location.href);
      url.searchParams.set(spec.drill, String(point.customdata));
      window.location.assign(url.toString());
    });
  }

  function drawFrom(plots, index) {
    if (index >= plots.length) {
      if (window.performance) { window.__allFiguresMs = window.performance.now(); }
      document.body.setAttribute("data-figures-drawn", String(plots.length));
      return;
    }
    var div = plots[index];
    var spec = JSON.parse(document.getElementById("spec-" + div.getAttribute("data-figure")).textContent);
    window.Plotly.newPlot(div, spec.data, spec.layout, config).then(function () {
      div.setAttribute("data-drawn", "1");
      if (spec.drill) { drillable(div, spec); }
      if (index === 0 && window.performance) { window.__firstFigureMs = window.performance.now(); }
      window.setTimeout(function () { drawFrom(plots, index + 1); }, 0);
    });
  }

  function draw() {
    drawFrom(Array.prototype.slice.call(document.querySelectorAll(".plot[data-figure]")), 0);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".plot[data-drawn]").forEach(function (div) {
      window.Plotly.Plots.resize(div);
    });
  });
})();
