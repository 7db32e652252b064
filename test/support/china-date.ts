import { chinaDate } from '../../src/rating/calendar.ts';

/** Today's date in Beijing, YYYY-MM-DD: the start date the tests quote from. */
export const today = (): string => chinaDate(new Date());
