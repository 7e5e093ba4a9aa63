/* gst-resilient: a bin whose preroll is its own business.
 *
 * An element that starts sub-pipelines of its own (failoversrc's
 * candidates) keeps each in a bin whose state it drives itself (locked
 * state). GstBin then still reads such a child's last state-change return
 * in every state change of its own: a child still prerolling (ASYNC) makes
 * the parent ASYNC too, and with no async-start of that child to wait for,
 * the parent commits at once and posts async-done. The application's
 * pipeline takes that async-done for a finished preroll, continues its
 * state, changes the parent's state again, gets ASYNC again: a loop of
 * thousands of async-done messages for as long as the child prerolls.
 *
 * A live bin breaks that at the root: it never returns ASYNC. What it holds
 * goes inside its one inner bin (`inner`), which handles its own preroll
 * (GstBin's async-handling: it commits PAUSED and continues to PLAYING
 * itself once every child has prerolled, and posts no async-start up). The
 * live bin reports SUCCESS where GstBin would report ASYNC, so its parent
 * sees a child that is where it was asked to be, as a live source is.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define RES_TYPE_LIVE_BIN (res_live_bin_get_type ())
G_DECLARE_FINAL_TYPE (ResLiveBin, res_live_bin, RES, LIVE_BIN, GstBin)

/* A new live bin named `name` with its inner bin (`name`-inner). */
GstElement *res_live_bin_new (const gchar *name);

/* The inner bin, where the live bin's elements go (borrowed). */
GstBin *res_live_bin_inner (ResLiveBin *bin);

G_END_DECLS
