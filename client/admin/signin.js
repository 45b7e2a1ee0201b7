// Admin sign-in: username and password (the hub's /auth/login); admins only. The
// screen is the staff apps' (shared/staff.js).

import { signInScreen } from "../shared/staff.js";
import { ADMINS, errorText } from "./common.js";

/** Render the sign-in screen. */
export async function render(view) {
  signInScreen(view, {
    roles: ADMINS, refused: "admin.signin.admins_only", home: "#/dashboard", title: "admin.signin.title", errorText,
  });
}
