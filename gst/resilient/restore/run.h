/* gst-resilient: autorestoresink's run (run.cpp).
 *
 * The run, as the element's state changes drive it: NULL->READY copies
 * the settings, checks the destinations (cluster:// ones attached to
 * their resolver), builds the coordinator and the encoder chain, then
 * starts the loop; READY->PAUSED begins publishing, PAUSED->READY stops
 * it (a manual stop, never restored) and the READY->NULL teardown drops
 * the run's state on the loop that owns it, before the loop stops.
 */
#pragma once

#include "restore/sinkprivate.h"

#include <string>

namespace resilient::gst::autorestore {

/* Before the loop runs (then starts it). */
bool open_run (GstAutoRestoreSink *self, std::string &error);
/* On the loop. */
bool begin_publishing (GstAutoRestoreSink *self, std::string &error);
void stop_publishing (GstAutoRestoreSink *self);
void close_run (GstAutoRestoreSink *self);

} // namespace resilient::gst::autorestore
