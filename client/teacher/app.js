// The teacher app: session (staff only), header, language, and hash routes
// (#/signin, #/classes, #/class/ID, #/student/ID, #/roster, #/live/ID, #/setup,
// #/cards/ID, #/unclaimed). The shell is the staff apps' (shared/staff.js). Screens share
// the session through shared/session.js and move with shared/router.js: none imports
// this module.

import { api } from "../shared/api.js";
import { session } from "../shared/session.js";
import { startStaffApp } from "../shared/staff.js";
import { STAFF } from "./common.js";

startStaffApp({
  title: "teacher.title",
  roles: STAFF,
  home: "#/classes",
  // Shown with no one signed in: the first-run wizard.
  open: ["setup"],
  screens: {
    signin: () => import("./signin.js"),
    classes: () => import("./classes.js"),
    class: () => import("./class.js"),
    student: () => import("./student.js"),
    roster: () => import("./roster.js"),
    live: () => import("./live.js"),
    // Issue 14, items 1-2: the first-run wizard (no session: the node has no one yet), cards.
    setup: () => import("./setup.js"),
    cards: () => import("./cards.js"),
    // Content library and reports (issue 14, items 7 and 8).
    library: () => import("./library.js"),
    report: () => import("./reports.js"),
    // Assign, groups, heatmap, a skill (#/skill/CLASS/SKILL), a student's work, the feedback queue.
    assign: () => import("./assign.js"),
    groups: () => import("./groups.js"),
    heatmap: () => import("./heatmap.js"),
    skill: () => import("./skill.js"),
    learner: () => import("./learner.js"),
    queue: () => import("./queue.js"),
    // Work done under a sign-in the node never checked, for a teacher to say whose it is.
    unclaimed: () => import("./unclaimed.js"),
  },
  // Admins see the roster import; district admins (on the hub) the way back to their app.
  header: (me) => {
    document.getElementById("nav-roster").hidden = me?.role !== "admin";
    document.getElementById("nav-district").hidden = !(me && session.districtAdmin);
  },
  // A node with no one on it yet opens the wizard.
  ready: async () => {
    if (!session.me && (await api("GET", "/setup").catch(() => ({}))).needed) location.hash = "#/setup";
  },
});
