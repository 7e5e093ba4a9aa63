/* gst-resilient: autorestoresink's reachability probes and network
 * monitor (reachability.cpp).
 *
 * While a destination waits to retry, a TCP connect to its server every
 * probe-interval-ms (its ReachProbe, in the Slot, says when) skips the
 * wait as soon as the server accepts again; a network change skips it
 * for every destination. Owns the GNetworkMonitor and its handler, the
 * probes' GCancellable and how many probes are in flight (their
 * callbacks own a socket and a reference to the element, so the loop is
 * not stopped before they have run). Loop only, except `open` (before
 * the loop starts) and `release` (after it stopped).
 */
#pragma once

#include "restore/sinkpart.h"
#include <gio/gio.h>

#include <cstddef>

namespace resilient::gst::autorestore {

class Reachability : public SinkPart
{
public:
  using SinkPart::SinkPart;

  /* NULL->READY, before the loop starts: a fresh cancellable. */
  void open ();
  /* On the loop: follow the default network monitor. */
  void watch_network ();
  /* The next probe of `idx` while it waits to retry. */
  void schedule (size_t idx);
  /* A manual stop: probes in flight cancelled. */
  void cancel ();
  /* READY->NULL on the loop: probes cancelled and their callbacks run,
   * the monitor let go. */
  void close ();
  /* After the loop stopped: the cancellable let go. */
  void release ();

private:
  struct ProbeCtx;
  void probe (size_t idx);
  static void probe_done (GObject *source, GAsyncResult *res,
                          gpointer user_data);
  static void on_network_changed (GNetworkMonitor *monitor, gboolean available,
                                  gpointer user_data);

  GNetworkMonitor *monitor_ = nullptr;
  gulong handler_ = 0;
  GCancellable *cancel_ = nullptr;
  int in_flight_ = 0;
};

} // namespace resilient::gst::autorestore
