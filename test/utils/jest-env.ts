// Tests hash passwords with a cheaper scrypt; production uses 2^17 (see README).
process.env.SCRYPT_LOG_N ??= '12';
process.env.LOG_LEVEL ??= 'silent';
process.env.ADMIN_EMAIL ??= 'admin@test.example.jp';
process.env.ADMIN_PASSWORD ??= 'admin-password-123';
