import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsPlainText, TextField } from '../../common/input/fields';

export class RevokeDto {
  @ApiProperty({ example: '契約解除に伴う取消し', description: 'may span several lines' })
  @TextField({ max: 500, multiline: true })
  reason: string;
}

/** The town lifts a revocation's hold; `retraining: true` asks the worker to pass every module again first. */
export class ReinstateDto {
  @ApiProperty({ example: '誤って取り消したため', description: 'may span several lines' })
  @TextField({ max: 500, multiline: true })
  reason: string;

  @ApiPropertyOptional({ default: false, description: 'true: no new certificate until every module is passed again after the revocation' })
  @IsOptional()
  @IsBoolean()
  retraining?: boolean;
}

export class VerifyManyDto {
  @ApiProperty({ type: [String], maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @IsPlainText({ each: true })
  @MaxLength(40, { each: true })
  serials: string[];
}

/** Which stored form of a certificate's credential (docs/certificates.md, "Two forms"). */
export class CredentialQueryDto {
  @ApiPropertyOptional({
    enum: ['public', 'holder'],
    default: 'public',
    description: 'public: masked name, to anyone; holder: full name, to those who may see the holder (404 otherwise)',
  })
  @IsOptional()
  @IsIn(['public', 'holder'])
  form?: 'public' | 'holder';

  @ApiPropertyOptional({
    enum: ['vc', 'jwt'],
    description:
      'vc: VC-JOSE (application/vc+jwt, EdDSA); jwt: Open Badges 3.0 §8.2 JWT (application/jwt, ES256). Without it, the Accept header decides; VC-JOSE by default.',
  })
  @IsOptional()
  @IsIn(['vc', 'jwt'])
  format?: 'vc' | 'jwt';
}
