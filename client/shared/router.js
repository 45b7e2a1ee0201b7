// Hash routes (#/name/more): each screen is a module, loaded when first shown, with
// render(view, more). The app starts the router once; screens move with go(), so no
// screen imports its app's main module.

let routes = null;

/**
 * Route by the hash from now on, and show the current route. screens maps a name to
 * () => import(…) of its module; choose(name) names the screen to show for a route (name
 * is null when no screen has it) or gives a hash to go to instead; before() runs
 * before each screen renders (the header, say).
 */
export function startRouter({ view, screens, choose, before = () => {} }) {
  routes = { view, screens, choose, before };
  window.addEventListener("hashchange", render);
  return render();
}

/** Show the screen of a hash route, even when it is the current one. */
export function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

/** Render the current route (again, after a language change, say). */
export async function render() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const chosen = routes.choose(Object.hasOwn(routes.screens, name) ? name : null);
  if (chosen.startsWith("#")) {
    location.hash = chosen;
    return;
  }
  routes.before();
  // Each render draws into an element of its own, put where the last one was (with its
  // content, until the new screen shows): a screen still loading when the route moves on
  // (a click while its fetches run) then writes into a detached element, not over the
  // screen now shown, and a screen that polls sees view.isConnected false and stops.
  // The old content stays in sight while the new screen's module loads, but inert: a
  // click on it then would act on a screen already left.
  const view = routes.view.cloneNode(false);
  const left = document.createElement("div");
  left.inert = true;
  left.style.display = "contents"; // laid out as before, in the view's own layout
  left.append(...routes.view.childNodes);
  view.replaceChildren(left);
  routes.view.replaceWith(view);
  routes.view = view;
  view.setAttribute("aria-busy", "true");
  try {
    const module = await routes.screens[chosen]();
    await module.render(view, decodeURIComponent(rest.join("/")));
  } finally {
    view.removeAttribute("aria-busy");
  }
}
