import { Global, Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { SignInThrottle } from './sign-in-throttle';
import { AccountLinksService } from './account-links.service';

/** Global: account links (proof of address, manager invitations) are used by the services that create accounts. */
@Global()
@Module({
  controllers: [AuthController],
  providers: [AuthService, SignInThrottle, AccountLinksService],
  exports: [AuthService, AccountLinksService],
})
export class AuthModule {}
