import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { SignInThrottle } from './sign-in-throttle';

@Module({ controllers: [AuthController], providers: [AuthService, SignInThrottle], exports: [AuthService] })
export class AuthModule {}
