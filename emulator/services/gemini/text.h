// Deterministic stand-ins for what a model produces: prose from a seeded generator, token
// counts that track word counts, and embeddings that keep shared words close.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"

namespace gcpsim::services::gemini {

// FNV-1a over the text, mixed with the seed: the key every default answer derives from.
uint64_t fingerprint(uint64_t seed, std::string_view text);

// A few plausible sentences that open on the prompt's subject; the same generator state
// always gives the same text.
std::string prose(core::Rng& rng, std::string_view prompt);
// `count` lowercase words from the vocabulary, joined by spaces.
std::string words(core::Rng& rng, int count);

// Roughly one token per word, one per punctuation mark, and one more for every eight
// letters of a long word.
int count_tokens(std::string_view text);
// Keeps at most `max_tokens` tokens of text (whole words); sets `cut` when it shortened it.
std::string truncate_tokens(std::string_view text, int max_tokens, bool& cut);
// Splits text into streaming chunks of about `words_per_chunk` words, whitespace kept.
std::vector<std::string> chunk_text(std::string_view text, int words_per_chunk);

// A unit vector of `dims` components: the normalized sum of one seeded vector per word,
// so equal texts embed equally and texts sharing words are close.
std::vector<float> embed_text(uint64_t seed, std::string_view model, std::string_view text, int dims);

}  // namespace gcpsim::services::gemini
