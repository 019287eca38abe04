import { SetMetadata } from '@nestjs/common';

/** Marks a route (or controller) that needs no authentication, such as /health. */
export const PUBLIC_ROUTE = 'swe-sim:public-route';
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
