/* gst-resilient: autorestoresink's reachability probes and network
 * monitor (reachability.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/reachability.h"

#include "restore/controller.h"

namespace resilient::gst::autorestore {

struct Reachability::ProbeCtx
{
  SelfRef self;
  size_t idx;
};

void
Reachability::open ()
{
  cancel_ = g_cancellable_new ();
}

void
Reachability::watch_network ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  monitor_
      = G_NETWORK_MONITOR (g_object_ref (g_network_monitor_get_default ()));
  handler_ = g_signal_connect (monitor_, "network-changed",
                               G_CALLBACK (on_network_changed), self_);
}

/* Runs on the loop thread (its context is the thread default there). */
void
Reachability::probe_done (GObject *source, GAsyncResult *res,
                          gpointer user_data)
{
  auto *ctx = static_cast<ProbeCtx *> (user_data);
  GstAutoRestoreSink *self = ctx->self.p;
  auto *priv = self->priv;
  priv->reach.in_flight_--;
  GSocketConnection *conn = g_socket_client_connect_to_host_finish (
      G_SOCKET_CLIENT (source), res, nullptr);
  if (conn) {
    g_io_stream_close (G_IO_STREAM (conn), nullptr, nullptr);
    g_object_unref (conn);
  }
  if (ctx->idx < priv->slots.size () && !priv->stopping) {
    Slot &slot = priv->slots[ctx->idx];
    slot.probing = false;
    if (!conn)
      /* The server is down: the sessions it closed were not refusals. */
      priv->coord.on_unreachable (ctx->idx);
    if (slot.reach.on_probe_result (conn != nullptr, now_of (self)))
      retry_now (self, ctx->idx, "server accepts connections again");
    else
      priv->reach.schedule (ctx->idx);
  }
  delete ctx;
}

void
Reachability::probe (size_t idx)
{
  RETURN_IF_NOT_ON_LOOP (self_);
  auto *priv = self_->priv;
  Slot &slot = slot_of (self_, idx);
  std::string err;
  auto t = resilient::gst::make_publish_transport (slot.uri, err);
  auto addr = t ? t->tcp_probe_address () : std::nullopt;
  if (!addr)
    return;
  slot.probing = true;
  slot.reach.on_probe_started (now_of (self_));
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.probes++;
  }
  GSocketClient *client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 1);
  /* A publish session to the same server may be connecting meanwhile. */
  resilient::gst::mark_not_a_publish_connection (client);
  in_flight_++;
  g_socket_client_connect_to_host_async (
      client, addr->first.c_str (), (guint16)addr->second, cancel_, probe_done,
      new ProbeCtx{ SelfRef (self_), idx });
  g_object_unref (client);
}

/* When the slot's ReachProbe says, while it waits to retry. */
void
Reachability::schedule (size_t idx)
{
  RETURN_IF_NOT_ON_LOOP (self_);
  auto *self = self_;
  auto *priv = self->priv;
  Slot &slot = slot_of (self, idx);
  cancel_timer (priv->loop, slot.probe_timer);
  if (priv->run.probe_interval_ms == 0 || slot.probing || !slot.retry_timer
      || priv->stopping)
    return;
  auto at = slot.reach.next_probe ();
  if (!at)
    return;
  /* No reference: the timer is cancelled on stop and the loop stopped
   * before the element goes away. */
  slot.probe_timer
      = schedule_in_ms (self, to_ms (*at - now_of (self)), [self, idx] {
          Slot &slot = self->priv->slots[idx];
          slot.probe_timer = 0;
          if (slot.retry_timer && !self->priv->stopping)
            self->priv->reach.probe (idx);
        });
}

void
Reachability::on_network_changed (GNetworkMonitor *monitor, gboolean available,
                                  gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  GST_INFO_OBJECT (self, "network changed, available: %d", available);
  self->priv->loop.post ([keep = SelfRef (self), available] {
    auto *self = keep.p;
    auto *priv = self->priv;
    if (available && priv->started) {
      {
        std::lock_guard<std::mutex> g (priv->lock);
        priv->stats.network_changes++;
      }
      for (size_t i = 0; i < priv->slots.size (); i++)
        retry_now (self, i, "network changed");
    }
  });
}

void
Reachability::cancel ()
{
  if (cancel_)
    g_cancellable_cancel (cancel_);
}

void
Reachability::close ()
{
  RETURN_IF_NOT_ON_LOOP (self_);
  /* Probes still connecting own a socket and a reference to the element:
   * cancel them and let their callbacks run before the loop (and its
   * context) goes away. */
  cancel ();
  GMainContext *ctx = self_->priv->loop.context ();
  while (in_flight_ > 0)
    g_main_context_iteration (ctx, TRUE);
  if (monitor_) {
    g_signal_handler_disconnect (monitor_, handler_);
    g_clear_object (&monitor_);
  }
}

void
Reachability::release ()
{
  g_clear_object (&cancel_);
}

} // namespace resilient::gst::autorestore
