/* /api/docs: starts the vendored Swagger UI on this site's OpenAPI document. "Try it out" sends the
   page's CSRF token with same-origin writes (the session cookie alone is not enough for them). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var token = tokenMeta ? tokenMeta.getAttribute("content") : "";
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    requestInterceptor: function (req) {
      var url = new URL(req.url, window.location.href);
      if (token && url.origin === window.location.origin) req.headers["X-CSRF-Token"] = token;
      return req;
    },
  });
})();
