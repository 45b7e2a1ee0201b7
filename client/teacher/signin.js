// Staff sign-in: username and password (the node's /auth/login). The screen is the
// staff apps' (shared/staff.js).

import { signInScreen } from "../shared/staff.js";
import { STAFF, errorText } from "./common.js";

/** Render the sign-in screen. */
export async function render(view) {
  signInScreen(view, {
    roles: STAFF, refused: "teacher.signin.staff_only", home: "#/classes",
    title: "teacher.signin.title", lead: "teacher.signin.lead", errorText,
  });
}
