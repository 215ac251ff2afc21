import { Module } from '@nestjs/common';
import { DemoController } from './demo.controller.js';

/** The browser demo page at `/` (plain HTML on the client bundle); no providers, no guards. */
@Module({ controllers: [DemoController] })
export class DemoModule {}
