/*
 * Remembers the language a visitor chose with the language switch.
 *
 * The pages work without this script: the switch is a plain link. With it, the choice is stored in
 * localStorage, and a later visit to the default (Japanese) page goes to the chosen language's page.
 * Back/forward navigation and reloads are left alone, so the back button never traps anyone.
 */
(function () {
  "use strict";

  var KEY = "portal-language";

  function stored() {
    try {
      return window.localStorage.getItem(KEY);
    } catch (e) {
      return null; // storage disabled: behave as if nothing was chosen
    }
  }

  function remember(language) {
    try {
      window.localStorage.setItem(KEY, language);
    } catch (e) {
      /* storage disabled: the link still works */
    }
  }

  function isPlainNavigation() {
    var entries = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")
      : [];
    return entries.length === 0 || entries[0].type === "navigate";
  }

  var root = document.documentElement;
  var chosen = stored();
  var known = chosen === "ja" || chosen === "en";
  if (root.hasAttribute("data-default-language") && known && chosen !== root.lang && isPlainNavigation()) {
    var alternate = document.querySelector('link[rel="alternate"][hreflang="' + chosen + '"]');
    if (alternate) {
      window.location.replace(alternate.href + window.location.hash);
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-lang-switch]") : null;
    if (link) {
      remember(link.getAttribute("data-lang-switch"));
    }
  });
})();
