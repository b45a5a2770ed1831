// The PostgreSQL schema migrations, embedded in the binary by cmake/embed_migrations.cmake from
// src/store/migrations/pg/NNNN_name.sql, in file-name order (version = position).
// A new migration is a new file; never edit an applied one.
#pragma once

#include <span>
#include <string_view>

namespace turnpike::store::pg {

struct Migration {
  int version;            // 1, 2, …: applied in this order, each exactly once
  std::string_view name;  // "0001_init"
  std::string_view sql;   // one or more statements; holds no values from outside
};

// Every migration, ordered by ascending version. The storage is static.
std::span<const Migration> Migrations();

}  // namespace turnpike::store::pg
