/* gst-resilient server side: reswhepserversink's statistics. */
#include "server/viewerstats.h"

namespace resilient::gst::server {

ViewerStats::~ViewerStats ()
{
  if (list_)
    gst_structure_free (list_);
}

void
ViewerStats::joined ()
{
  std::lock_guard<std::mutex> g (lock_);
  viewers_total_++;
}

void
ViewerStats::keyframe_asked ()
{
  std::lock_guard<std::mutex> g (lock_);
  keyframes_++;
}

void
ViewerStats::update (
    const std::map<std::string, std::unique_ptr<Viewer>> &viewers,
    resilient::TimePoint now)
{
  GValue list = G_VALUE_INIT;
  gst_value_array_init (&list, viewers.size ());
  for (auto &[id, v] : viewers) {
    GValue val = G_VALUE_INIT;
    g_value_init (&val, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&val, v->describe (now));
    gst_value_array_append_and_take_value (&list, &val);
  }
  GstStructure *holder = gst_structure_new_empty ("viewers");
  gst_structure_take_value (holder, "viewer-list", &list);
  GstStructure *old;
  {
    std::lock_guard<std::mutex> g (lock_);
    old = std::exchange (list_, holder);
    count_ = (guint)viewers.size ();
  }
  if (old)
    gst_structure_free (old);
}

GstStructure *
ViewerStats::structure (guint64 requests_refused, int bound_port)
{
  std::lock_guard<std::mutex> g (lock_);
  GstStructure *s = gst_structure_new (
      "reswhepserversink-statistics", "viewers", G_TYPE_UINT, count_,
      "viewers-total", G_TYPE_UINT64, viewers_total_, "requests-refused",
      G_TYPE_UINT64, requests_refused, "keyframe-requests", G_TYPE_UINT64,
      keyframes_, "bound-port", G_TYPE_INT, bound_port, NULL);
  const GValue *list
      = list_ ? gst_structure_get_value (list_, "viewer-list") : nullptr;
  if (list) {
    gst_structure_set_value (s, "viewer-list", list);
  } else {
    GValue empty = G_VALUE_INIT;
    gst_value_array_init (&empty, 0);
    gst_structure_take_value (s, "viewer-list", &empty);
  }
  return s;
}

} // namespace resilient::gst::server
