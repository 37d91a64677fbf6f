// Confirmation for destructive actions: any form or button with data-confirm asks first.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute("data-confirm") || (event.submitter && event.submitter.getAttribute("data-confirm"));
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
