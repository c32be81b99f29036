// Seeded prose, token counting, chunking and bag-of-words embeddings.
#include "services/gemini/text.h"

#include <cctype>
#include <cmath>

namespace gcpsim::services::gemini {
namespace {

constexpr const char* kVocabulary[] = {
    "the", "plan", "team", "results", "project", "next", "steps", "review", "update", "clear",
    "simple", "focus", "priority", "timeline", "summary", "details", "progress", "goal", "risk",
    "approach", "design", "data", "customer", "feedback", "quality", "change", "option", "impact",
    "week", "today", "meeting", "notes", "draft", "version", "task", "owner", "status", "helpful",
    "important", "quickly", "carefully", "together", "overall", "current", "recent", "small",
    "strong", "useful", "ready", "early", "should", "could", "will", "can", "may", "help", "keep",
    "share", "check", "build", "improve", "measure", "plan", "finish", "start", "consider",
    "include", "support", "reduce", "and", "with", "for", "from", "into", "about", "before",
    "after", "while", "each", "every", "this", "that", "these", "our", "your", "some", "more",
};
constexpr uint64_t kVocabularySize = sizeof(kVocabulary) / sizeof(kVocabulary[0]);

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); }

// The first few words of the prompt, so an answer visibly belongs to its question.
std::string subject_of(std::string_view prompt) {
  std::string out;
  int taken = 0;
  size_t i = 0;
  while (i < prompt.size() && taken < 6) {
    while (i < prompt.size() && !is_word_char(prompt[i])) ++i;
    size_t start = i;
    while (i < prompt.size() && is_word_char(prompt[i])) ++i;
    if (i == start) break;
    if (!out.empty()) out += ' ';
    out.append(prompt.substr(start, i - start));
    ++taken;
  }
  return out;
}

std::string sentence(core::Rng& rng) {
  std::string s = words(rng, 6 + static_cast<int>(rng.below(9)));
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s + ".";
}

}  // namespace

uint64_t fingerprint(uint64_t seed, std::string_view text) {
  uint64_t h = 1469598103934665603ull ^ (seed * 0x9E3779B97F4A7C15ull);
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string words(core::Rng& rng, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    if (i) out += ' ';
    out += kVocabulary[rng.below(kVocabularySize)];
  }
  return out;
}

std::string prose(core::Rng& rng, std::string_view prompt) {
  std::string subject = subject_of(prompt);
  std::string out = subject.empty() ? sentence(rng) : "Here is a response about \"" + subject + "\".";
  int sentences = 2 + static_cast<int>(rng.below(4));
  for (int i = 0; i < sentences; ++i) out += " " + sentence(rng);
  return out;
}

int count_tokens(std::string_view text) {
  int tokens = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    } else if (is_word_char(text[i])) {
      size_t start = i;
      while (i < text.size() && is_word_char(text[i])) ++i;
      tokens += 1 + static_cast<int>((i - start - 1) / 8);
    } else {
      ++tokens;
      ++i;
    }
  }
  return tokens;
}

std::string truncate_tokens(std::string_view text, int max_tokens, bool& cut) {
  cut = false;
  size_t end = 0, i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) break;
    if (count_tokens(text.substr(0, i)) > max_tokens) {
      cut = true;
      break;
    }
    end = i;
  }
  return std::string(text.substr(0, end));
}

std::vector<std::string> chunk_text(std::string_view text, int words_per_chunk) {
  std::vector<std::string> chunks;
  std::string current;
  int in_chunk = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    current += text[i];
    bool word_end = !std::isspace(static_cast<unsigned char>(text[i])) &&
                    (i + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[i + 1])));
    if (word_end && ++in_chunk == words_per_chunk) {
      chunks.push_back(std::move(current));
      current.clear();
      in_chunk = 0;
    }
  }
  if (!current.empty()) {
    if (chunks.empty() || in_chunk > 0) chunks.push_back(std::move(current));
    else chunks.back() += current;
  }
  if (chunks.empty()) chunks.emplace_back();
  return chunks;
}

std::vector<float> embed_text(uint64_t seed, std::string_view model, std::string_view text, int dims) {
  std::vector<double> sum(static_cast<size_t>(dims), 0.0);
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    while (i < text.size() && !is_word_char(text[i])) ++i;
    size_t start = i;
    std::string word;
    while (i < text.size() && is_word_char(text[i])) word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++])));
    if (i == start) break;
    core::Rng rng(fingerprint(seed, std::string(model) + "\n" + word));
    for (auto& v : sum) v += rng.uniform() * 2 - 1;
    any = true;
  }
  if (!any) {
    core::Rng rng(fingerprint(seed, std::string(model) + "\n" + std::string(text)));
    for (auto& v : sum) v = rng.uniform() * 2 - 1;
  }
  double norm = 0;
  for (double v : sum) norm += v * v;
  norm = std::sqrt(norm);
  std::vector<float> out(sum.size());
  for (size_t k = 0; k < sum.size(); ++k) out[k] = static_cast<float>(norm > 0 ? sum[k] / norm : 0);
  return out;
}

}  // namespace gcpsim::services::gemini
