/* gst-resilient: a bin whose preroll is its own business.
 *
 * An element that starts sub-pipelines of its own (failoversrc's
 * candidates) keeps each in a bin whose state it drives itself (locked
 * state). GstBin still reads such a child's last state-change return in
 * every state change of its own: a child still prerolling (ASYNC) makes
 * the parent ASYNC too, and with no async-start of that child to wait for,
 * the parent commits at once and posts async-done. The application's
 * pipeline takes that async-done for a finished preroll, continues its
 * state, changes the parent's state again, gets ASYNC again: a loop of
 * thousands of async-done messages for as long as the child prerolls. And
 * a child's async-start that reaches the parent makes the parent, and the
 * application's pipeline, lose PLAYING until the child has prerolled.
 *
 * A live bin is neither: it handles its children's async-start and -done
 * itself (GstBin's async-handling: nothing goes up) and returns SUCCESS
 * where GstBin would return ASYNC, like a live source, so its parent sees
 * a child that is where it was asked to be. The price: a child that was
 * still prerolling when the bin went on to PLAYING stays in PAUSED (GstBin
 * continues a child's state only when the bin itself is waiting for it).
 * Whoever drives the bin waits for that child's preroll
 * (gst_element_get_state on it) and sets the bin's state once more; a
 * same-state change reaches the children.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define RES_TYPE_LIVE_BIN (res_live_bin_get_type ())
G_DECLARE_FINAL_TYPE (ResLiveBin, res_live_bin, RES, LIVE_BIN, GstBin)

/* A new live bin named `name` (floating, like gst_bin_new). */
GstElement *res_live_bin_new (const gchar *name);

G_END_DECLS
