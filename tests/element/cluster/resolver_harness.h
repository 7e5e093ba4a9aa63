/* Test helper: a clusterresolver in a pipeline, with its signals and bus
 * element messages recorded. Shared by the element and integration tests. */
#pragma once

#include <gst/gst.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cluster_test {

struct Recorded
{
  std::string kind; /* signal name or message structure name */
  std::string host;
  int index = -1;
  std::string reason;
  std::chrono::steady_clock::time_point at;
};

class ResolverHarness
{
public:
  explicit ResolverHarness (const char *props = nullptr)
  {
    pipeline = gst_pipeline_new (nullptr);
    resolver = gst_element_factory_make ("clusterresolver", nullptr);
    if (!resolver)
      return;
    gst_bin_add (GST_BIN (pipeline), resolver);
    g_signal_connect (resolver, "connect", G_CALLBACK (on_connect), this);
    g_signal_connect (resolver, "connect-failed",
                      G_CALLBACK (on_connect_failed), this);
    g_signal_connect (resolver, "failed", G_CALLBACK (on_failed), this);
    GstBus *bus = gst_element_get_bus (pipeline);
    gst_bus_set_sync_handler (bus, on_bus, this, nullptr);
    gst_object_unref (bus);
    (void)props;
  }
  ~ResolverHarness ()
  {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    GstBus *bus = gst_element_get_bus (pipeline);
    gst_bus_set_sync_handler (bus, nullptr, nullptr, nullptr);
    gst_object_unref (bus);
    gst_object_unref (pipeline);
  }

  std::string resolve (const char *path)
  {
    gchar *url = nullptr;
    g_signal_emit_by_name (resolver, "resolve", path, &url);
    std::string out = url ? url : "";
    g_free (url);
    return out;
  }

  std::vector<Recorded> events ()
  {
    std::lock_guard<std::mutex> g (lock);
    return log;
  }
  int count (const std::string &kind)
  {
    int n = 0;
    for (auto &e : events ())
      n += e.kind == kind;
    return n;
  }
  void clear ()
  {
    std::lock_guard<std::mutex> g (lock);
    log.clear ();
  }
  /* Signals are emitted on the element's loop: wait for them (woken by
   * each recorded event, not by polling). */
  bool wait_count (const std::string &kind, int n, int timeout_ms = 2000)
  {
    auto end = std::chrono::steady_clock::now ()
               + std::chrono::milliseconds (timeout_ms);
    std::unique_lock<std::mutex> g (lock);
    return added.wait_until (g, end, [&] {
      int c = 0;
      for (auto &e : log)
        c += e.kind == kind;
      return c >= n;
    });
  }
  GstStructure *statistics ()
  {
    GstStructure *s = nullptr;
    g_object_get (resolver, "statistics", &s, nullptr);
    return s;
  }
  const GstStructure *host_stats (const GstStructure *stats, guint i)
  {
    const GValue *hosts = gst_structure_get_value (stats, "hosts");
    if (!hosts || i >= gst_value_array_get_size (hosts))
      return nullptr;
    return gst_value_get_structure (gst_value_array_get_value (hosts, i));
  }

  GstElement *pipeline = nullptr;
  GstElement *resolver = nullptr;

private:
  void add (Recorded r)
  {
    r.at = std::chrono::steady_clock::now ();
    {
      std::lock_guard<std::mutex> g (lock);
      log.push_back (std::move (r));
    }
    added.notify_all ();
  }
  static void on_connect (GstElement *, const char *host, int index,
                          ResolverHarness *h)
  {
    h->add (Recorded{ "connect", host ? host : "", index, {}, {} });
  }
  static void on_connect_failed (GstElement *, const char *host, int index,
                                 const char *reason, ResolverHarness *h)
  {
    h->add (Recorded{
        "connect-failed", host ? host : "", index, reason ? reason : "", {} });
  }
  static void on_failed (GstElement *, const char *path, const char *reason,
                         ResolverHarness *h)
  {
    h->add (
        Recorded{ "failed", path ? path : "", -1, reason ? reason : "", {} });
  }
  static GstBusSyncReply on_bus (GstBus *, GstMessage *msg, gpointer data)
  {
    auto *h = static_cast<ResolverHarness *> (data);
    Recorded r;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT) {
      const GstStructure *s = gst_message_get_structure (msg);
      r.kind = gst_structure_get_name (s);
      if (const char *host = gst_structure_get_string (s, "host"))
        r.host = host;
      gst_structure_get_int (s, "index", &r.index);
      if (const char *reason = gst_structure_get_string (s, "reason"))
        r.reason = reason;
      h->add (r);
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING) {
      GError *err = nullptr;
      gchar *dbg = nullptr;
      gst_message_parse_warning (msg, &err, &dbg);
      r.kind = "warning";
      r.reason
          = std::string (err ? err->message : "") + " | " + (dbg ? dbg : "");
      g_clear_error (&err);
      g_free (dbg);
      h->add (r);
    }
    gst_message_unref (msg);
    return GST_BUS_DROP;
  }

  std::mutex lock;
  std::vector<Recorded> log;
  std::condition_variable added;
};

} // namespace cluster_test
