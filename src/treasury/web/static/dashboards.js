// Draw each dashboard figure from its JSON spec with plotly.js (served from the Python wheel).
// A click on a mark of a drill-down figure sets its query parameter and reloads: the URL and
// the figure change together, so every view can be shared.
(function () {
  "use strict";
  function draw() {
    var plots = document.querySelectorAll(".plot[data-figure]");
    var drawn = 0;
    plots.forEach(function (div) {
      var id = div.getAttribute("data-figure");
      var spec = JSON.parse(document.getElementById("spec-" + id).textContent);
      var config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"] };
      window.Plotly.newPlot(div, spec.data, spec.layout, config).then(function () {
        div.setAttribute("data-drawn", "1");
        drawn += 1;
        if (drawn === 1 && window.performance) {
          window.__firstFigureMs = window.performance.now();
        }
        if (drawn === plots.length) {
          if (window.performance) { window.__allFiguresMs = window.performance.now(); }
          document.body.setAttribute("data-figures-drawn", String(drawn));
        }
      });
      if (spec.drill) {
        div.classList.add("drillable");
        div.on("plotly_click", function (event) {
          var point = event.points && event.points[0];
          if (!point || point.customdata === undefined || point.customdata === null) { return; }
          var url = new URL(window.location.href);
          url.searchParams.set(spec.drill, String(point.customdata));
          window.location.assign(url.toString());
        });
      }
    });
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
