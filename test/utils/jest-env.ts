// Tests hash passwords with the smallest argon2id memory the setting allows (1 MiB); production uses 19 MiB (see README).
process.env.PASSWORD_HASH_MEMORY_KIB ??= '1024';
process.env.LOG_LEVEL ??= 'silent';
process.env.ADMIN_EMAIL ??= 'admin@test.example.jp';
process.env.ADMIN_PASSWORD ??= 'admin-password-123';
