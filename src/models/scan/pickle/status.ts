/** What `PickleMachine.run` returns: why it stopped reading. */

/** STOP of the outermost pickle: `result` holds its value. */
export const ST_DONE = 0;
/** The next opcode is not all in the window: refill so that `need` bytes are there. */
export const ST_NEED = 1;
/** Drop `skip` payload bytes (they are not copied), then run again. */
export const ST_SKIP = 2;
/** Drop the rest of a text line, up to and including its '\n'. */
export const ST_SKIPLINE = 3;
/** Malformed: `error` and `errorOffset` say where and why. */
export const ST_ERROR = 4;
/** joblib array bytes follow (`raw` sizes them). */
export const ST_RAW = 5;
/** Internal to the machine: carry on with the next opcode. */
export const GO = -1;
