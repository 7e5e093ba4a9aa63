#include "harness.h"

#include "elements.h"

#include <thread>

namespace whiptest {

void
register_elements ()
{
  GST_ELEMENT_REGISTER (reswhepsrc, nullptr);
  GST_ELEMENT_REGISTER (reswhipsink, nullptr);
}

Pipeline::Pipeline (const std::string &description)
{
  GError *err = nullptr;
  pipeline_ = gst_parse_launch (description.c_str (), &err);
  if (err) {
    errors_ = err->message;
    g_clear_error (&err);
  }
  if (pipeline_ && !GST_IS_PIPELINE (pipeline_)) {
    /* a single element: give it a pipeline (and a bus) */
    GstElement *pl = gst_pipeline_new (nullptr);
    gst_bin_add (GST_BIN (pl), pipeline_);
    pipeline_ = pl;
  }
  if (pipeline_) {
    GstBus *bus = gst_element_get_bus (pipeline_);
    gst_bus_set_sync_handler (bus, on_message, this, nullptr);
    gst_object_unref (bus);
  }
}

Pipeline::Pipeline (GstElement *pipeline) : pipeline_ (pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline_);
  gst_bus_set_sync_handler (bus, on_message, this, nullptr);
  gst_object_unref (bus);
}

Pipeline::~Pipeline ()
{
  stop ();
  if (pipeline_) {
    GstBus *bus = gst_element_get_bus (pipeline_);
    gst_bus_set_sync_handler (bus, nullptr, nullptr, nullptr);
    gst_object_unref (bus);
    gst_object_unref (pipeline_);
  }
  for (auto *s : structures_)
    gst_structure_free (s);
}

GstElement *
Pipeline::by_name (const char *name) const
{
  return gst_bin_get_by_name (GST_BIN (pipeline_), name);
}

GstStateChangeReturn
Pipeline::play ()
{
  return gst_element_set_state (pipeline_, GST_STATE_PLAYING);
}

void
Pipeline::stop ()
{
  if (pipeline_)
    gst_element_set_state (pipeline_, GST_STATE_NULL);
}

GstBusSyncReply
Pipeline::on_message (GstBus *, GstMessage *msg, gpointer user_data)
{
  auto *self = static_cast<Pipeline *> (user_data);
  std::lock_guard<std::mutex> g (self->lock_);
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT: {
      const GstStructure *s = gst_message_get_structure (msg);
      if (s) {
        self->messages_.push_back (gst_structure_get_name (s));
        self->structures_.push_back (gst_structure_copy (s));
      }
      break;
    }
    case GST_MESSAGE_ERROR: {
      GError *err = nullptr;
      gchar *dbg = nullptr;
      gst_message_parse_error (msg, &err, &dbg);
      self->errors_ += std::string (err->message) + " | " + (dbg ? dbg : "")
          + "\n";
      self->messages_.push_back ("error");
      g_clear_error (&err);
      g_free (dbg);
      break;
    }
    case GST_MESSAGE_WARNING:
      self->messages_.push_back ("warning");
      break;
    case GST_MESSAGE_EOS:
      self->messages_.push_back ("eos");
      break;
    default:
      break;
  }
  return GST_BUS_DROP;
}

std::vector<std::string>
Pipeline::messages () const
{
  std::lock_guard<std::mutex> g (lock_);
  return messages_;
}

bool
Pipeline::has_message (const std::string &name) const
{
  std::lock_guard<std::mutex> g (lock_);
  for (auto &m : messages_)
    if (m == name)
      return true;
  return false;
}

GstStructure *
Pipeline::message (const std::string &name) const
{
  std::lock_guard<std::mutex> g (lock_);
  for (auto *s : structures_)
    if (gst_structure_has_name (s, name.c_str ()))
      return gst_structure_copy (s);
  return nullptr;
}

std::string
Pipeline::errors () const
{
  std::lock_guard<std::mutex> g (lock_);
  return errors_;
}

bool
Pipeline::wait_for (const std::function<bool ()> &pred,
    std::chrono::milliseconds timeout) const
{
  auto end = std::chrono::steady_clock::now () + timeout;
  while (std::chrono::steady_clock::now () < end) {
    if (pred ())
      return true;
    std::this_thread::sleep_for (std::chrono::milliseconds (20));
  }
  return pred ();
}

PadCounter::PadCounter (GstElement *bin, GstElement *src,
    const std::string &prefix) : bin_ (bin), prefix_ (prefix)
{
  g_signal_connect (src, "pad-added", G_CALLBACK (on_pad), this);
}

void
PadCounter::on_pad (GstElement *, GstPad *pad, gpointer user_data)
{
  auto *self = static_cast<PadCounter *> (user_data);
  if (!g_str_has_prefix (GST_PAD_NAME (pad), self->prefix_.c_str ()))
    return;
  GstElement *sink = gst_element_factory_make ("fakesink", nullptr);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (self->bin_), sink);
  gst_element_sync_state_with_parent (sink);
  GstPad *sinkpad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER, probe, self, nullptr);
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

GstPadProbeReturn
PadCounter::probe (GstPad *pad, GstPadProbeInfo *, gpointer user_data)
{
  auto *self = static_cast<PadCounter *> (user_data);
  if (self->count_++ == 0) {
    GstCaps *caps = gst_pad_get_current_caps (pad);
    if (caps) {
      gchar *c = gst_caps_to_string (caps);
      std::lock_guard<std::mutex> g (self->lock_);
      self->caps_ = c;
      g_free (c);
      gst_caps_unref (caps);
    }
  }
  return GST_PAD_PROBE_OK;
}

std::string
PadCounter::caps () const
{
  std::lock_guard<std::mutex> g (lock_);
  return caps_;
}

}  // namespace whiptest
