// The district admin app on the hub: sign-in (admins only), header, language, and hash
// routes (#/dashboard[/school/ID[/class/ID]], #/schools[/ID], #/students[/ID], #/nodes,
// #/audit). The shell is
// the staff apps' (shared/staff.js). Screens move with shared/router.js: none imports
// this module.

import { startStaffApp } from "../shared/staff.js";
import { ADMINS } from "./common.js";

startStaffApp({
  title: "admin.title",
  roles: ADMINS,
  home: "#/dashboard",
  screens: {
    signin: () => import("./signin.js"),
    dashboard: () => import("./dashboard.js"),
    schools: () => import("./schools.js"),
    students: () => import("./students.js"),
    nodes: () => import("./nodes.js"),
    audit: () => import("./audit.js"),
  },
});
