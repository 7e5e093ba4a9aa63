/* gst-resilient: reswhepserversink's settings: property ids, defaults
 * (justified in docs/elements/reswhepserversink.md), the properties'
 * installation and their get/set. */
#pragma once

#include "resilient/core/codec.h"
#include "server/endpoint.h"

#include <gst/gst.h>

#include <string>

namespace resilient::gst::server::whepsink {

/* Defaults, justified in docs/elements/reswhepserversink.md. */
#define DEFAULT_PORT 8889
#define DEFAULT_PATH "/whep"
#define DEFAULT_MAX_VIEWERS 0
#define DEFAULT_RETRY_AFTER_MS 5000
#define DEFAULT_VIDEO_BITRATE 2000
#define DEFAULT_KEYFRAME_MIN_INTERVAL_MS 500
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_RTCP_TIMEOUT_MS 3000
#define DEFAULT_MAX_BODY 65536
#define DEFAULT_DIRECT_SEND TRUE
#define DEFAULT_VIDEO_CODEC GST_RES_WHEP_SERVER_VIDEO_CODEC_H264
/* Not properties: how often the reaper looks, and how long an answer may
 * wait for ICE gathering before it goes out with what it has. */
#define REAP_PERIOD_MS 250
#define GATHER_TIMEOUT_MS 2000
/* The keyframe period of the encoders (frames): viewers that join get one
 * at once through force-key-unit, so this only bounds recovery of viewers
 * whose PLI was lost. */
#define KEYFRAME_MAX_DIST 120
#define VIDEO_PT 96
#define AUDIO_PT 111

typedef enum {
  GST_RES_WHEP_SERVER_VIDEO_CODEC_H264,
  GST_RES_WHEP_SERVER_VIDEO_CODEC_VP8,
} GstResWhepServerVideoCodec;

GType video_codec_get_type (void);

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_BOUND_PORT,
  PROP_PATH,
  PROP_CERTIFICATE_FILE,
  PROP_KEY_FILE,
  PROP_TOKEN,
  PROP_MAX_VIEWERS,
  PROP_RETRY_AFTER,
  PROP_VIDEO_CODEC,
  PROP_VIDEO_BITRATE,
  PROP_KEYFRAME_MIN_INTERVAL,
  PROP_CONNECT_TIMEOUT,
  PROP_RTCP_TIMEOUT,
  PROP_STATISTICS,
  PROP_DIRECT_SEND,
};

struct Settings
{
  /* address, port, path, certificate and key files */
  EndpointConfig ep = endpoint_defaults ("WHEP", DEFAULT_PORT, DEFAULT_PATH);
  std::string token;
  guint max_viewers = DEFAULT_MAX_VIEWERS;
  guint retry_after_ms = DEFAULT_RETRY_AFTER_MS;
  GstResWhepServerVideoCodec video_codec = DEFAULT_VIDEO_CODEC;
  guint video_bitrate = DEFAULT_VIDEO_BITRATE;
  guint keyframe_min_interval_ms = DEFAULT_KEYFRAME_MIN_INTERVAL_MS;
  guint connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  guint rtcp_timeout_ms = DEFAULT_RTCP_TIMEOUT_MS;
  bool direct_send = DEFAULT_DIRECT_SEND;

  bool vp8 () const
  {
    return video_codec == GST_RES_WHEP_SERVER_VIDEO_CODEC_VP8;
  }
  /* The codec the viewers are served on a kind's pad. */
  resilient::Codec served (bool video) const
  {
    if (!video)
      return resilient::Codec::Opus;
    return vp8 () ? resilient::Codec::VP8 : resilient::Codec::H264;
  }
};

void install_properties (GObjectClass *gobject_class);
/* Settings <-> properties (false: not a settings property). */
bool set_property (Settings &s, guint prop_id, const GValue *value);
bool get_property (const Settings &s, guint prop_id, int bound_port,
                   GValue *value);

} // namespace resilient::gst::server::whepsink
