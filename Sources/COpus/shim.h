#ifndef KOL_COPUS_SHIM_H
#define KOL_COPUS_SHIM_H
#include <opus/opus.h>

// opus_encoder_ctl / opus_decoder_ctl are variadic C macros-over-functions that Swift cannot import.
// Each setting the engine uses is wrapped here as a plain inline function.
static inline int kol_opus_set_bitrate(OpusEncoder *enc, opus_int32 bitsPerSecond) {
    return opus_encoder_ctl(enc, OPUS_SET_BITRATE(bitsPerSecond));
}
static inline int kol_opus_set_complexity(OpusEncoder *enc, opus_int32 complexity) {
    return opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(complexity));
}
static inline int kol_opus_set_signal_voice(OpusEncoder *enc) {
    return opus_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}
static inline int kol_opus_set_dtx(OpusEncoder *enc, opus_int32 enabled) {
    return opus_encoder_ctl(enc, OPUS_SET_DTX(enabled));
}
static inline int kol_opus_set_inband_fec(OpusEncoder *enc, opus_int32 enabled) {
    return opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(enabled));
}
static inline int kol_opus_set_packet_loss_perc(OpusEncoder *enc, opus_int32 percent) {
    return opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(percent));
}
static inline int kol_opus_get_lookahead(OpusEncoder *enc, opus_int32 *samples) {
    return opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(samples));
}
static inline int kol_opus_get_bitrate(OpusEncoder *enc, opus_int32 *bitsPerSecond) {
    return opus_encoder_ctl(enc, OPUS_GET_BITRATE(bitsPerSecond));
}
static inline int kol_opus_get_complexity(OpusEncoder *enc, opus_int32 *complexity) {
    return opus_encoder_ctl(enc, OPUS_GET_COMPLEXITY(complexity));
}
static inline int kol_opus_encoder_reset(OpusEncoder *enc) {
    return opus_encoder_ctl(enc, OPUS_RESET_STATE);
}
// The range coder's final state after the last encode/decode: equal on both sides when the decoder
// decoded exactly what the encoder produced (libopus's own conformance check).
static inline int kol_opus_encoder_get_final_range(OpusEncoder *enc, opus_uint32 *range) {
    return opus_encoder_ctl(enc, OPUS_GET_FINAL_RANGE(range));
}

static inline int kol_opus_decoder_reset(OpusDecoder *dec) {
    return opus_decoder_ctl(dec, OPUS_RESET_STATE);
}
static inline int kol_opus_decoder_get_final_range(OpusDecoder *dec, opus_uint32 *range) {
    return opus_decoder_ctl(dec, OPUS_GET_FINAL_RANGE(range));
}
static inline int kol_opus_decoder_get_last_packet_duration(OpusDecoder *dec, opus_int32 *samples) {
    return opus_decoder_ctl(dec, OPUS_GET_LAST_PACKET_DURATION(samples));
}
#endif
