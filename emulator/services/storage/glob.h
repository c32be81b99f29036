// The matchGlob syntax of objects.list: '*' (not across '/'), '**' (across '/'; "**/" also
// matches no directory at all), '?', '[abc]', '[a-z]', '[!a]' and '{a,b}'.
#pragma once
#include <string_view>

namespace gcpsim::services::storage {

bool glob_match(std::string_view pattern, std::string_view name);
// False for unbalanced brackets or braces, or a pattern longer than 1024 bytes.
bool glob_valid(std::string_view pattern);

}  // namespace gcpsim::services::storage
