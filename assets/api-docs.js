// Starts Swagger UI on the generated OpenAPI document (kept out of the page for a strict CSP).
window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#api" });
