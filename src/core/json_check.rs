//! Checking a body as JSON while it arrives: chunks are pushed in as they
//! come, split anywhere, and the verdict is known once the last one is in.
//! Accepts exactly what `serde_json::from_slice::<&RawValue>` accepts (one
//! value, UTF-8, whitespace around it, any depth), holding one bit per
//! open container.

/// What a body turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing but ASCII whitespace (`u8::is_ascii_whitespace`), or empty.
    Blank,
    /// One JSON value, with JSON whitespace around it.
    Json,
    /// Anything else.
    NotJson,
}

/// A push-style JSON checker: [`JsonCheck::feed`] each chunk in order,
/// then [`JsonCheck::finish`].
#[derive(Debug)]
pub struct JsonCheck {
    state: State,
    open: Containers,
    utf8: Utf8Check,
    /// Every byte so far was ASCII whitespace.
    blank: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the document's value.
    Start,
    /// After `[`: a value or `]`.
    FirstItem,
    /// After `{`: a key or `}`.
    FirstKey,
    /// After `,` in an array or after `:`: a value.
    Value,
    /// After `,` in an object: a key.
    Key,
    /// After a key: `:`.
    Colon,
    /// After a value in a container: `,` or the container's closer.
    Next,
    /// After the document's value: only whitespace.
    End,
    /// In a string; `key` for an object's key.
    Str {
        key: bool,
    },
    /// After a `\` in a string.
    Escape {
        key: bool,
    },
    /// In a `\u` escape, with `left` hex digits to go.
    Hex {
        key: bool,
        left: u8,
    },
    /// In `true`, `false` or `null`: the letters still to come.
    Literal(&'static [u8]),
    Number(Num),
    Failed,
}

/// Where a number is: after `-`, its leading `0`, its integer digits, its
/// `.`, its fraction's digits, its `e`, the exponent's sign, its digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Num {
    Minus,
    Zero,
    Int,
    Point,
    Fraction,
    E,
    ExponentSign,
    Exponent,
}

impl Default for JsonCheck {
    fn default() -> Self {
        JsonCheck::new()
    }
}

impl JsonCheck {
    pub fn new() -> JsonCheck {
        JsonCheck {
            state: State::Start,
            open: Containers::default(),
            utf8: Utf8Check::default(),
            blank: true,
        }
    }

    /// Checks the next chunk of the body.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.blank {
            self.blank = chunk.iter().all(u8::is_ascii_whitespace);
        }
        if self.state == State::Failed {
            return;
        }
        if !self.utf8.feed(chunk) {
            self.state = State::Failed;
            return;
        }
        let mut at = 0;
        while at < chunk.len() && self.state != State::Failed {
            at = self.step(chunk, at);
        }
    }

    /// The verdict on all that was fed.
    pub fn finish(self) -> Verdict {
        if self.blank {
            return Verdict::Blank;
        }
        let complete = match self.state {
            State::End => true,
            // A number ends the document only at the end of the body.
            State::Number(Num::Zero | Num::Int | Num::Fraction | Num::Exponent) => {
                self.open.depth == 0
            }
            _ => false,
        };
        if complete && self.utf8.is_complete() {
            Verdict::Json
        } else {
            Verdict::NotJson
        }
    }

    /// Checks bytes of `chunk` from `at` on, in the current state, and
    /// returns where to go on; the state may have changed.
    fn step(&mut self, chunk: &[u8], at: usize) -> usize {
        let byte = chunk[at];
        match self.state {
            State::Str { key } => {
                let at = at + plain_run(&chunk[at..]);
                match chunk.get(at) {
                    None => return at,
                    Some(b'"') if key => self.state = State::Colon,
                    Some(b'"') => self.value_done(),
                    Some(b'\\') => self.state = State::Escape { key },
                    Some(_) => self.state = State::Failed,
                }
                return at + 1;
            }
            State::Escape { key } => {
                self.state = match byte {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => State::Str { key },
                    b'u' => State::Hex { key, left: 4 },
                    _ => State::Failed,
                };
            }
            State::Hex { key, left } => {
                self.state = match (byte.is_ascii_hexdigit(), left) {
                    (false, _) => State::Failed,
                    (true, 1) => State::Str { key },
                    (true, left) => State::Hex {
                        key,
                        left: left - 1,
                    },
                };
            }
            State::Literal(rest) => {
                if rest.first() != Some(&byte) {
                    self.state = State::Failed;
                } else if rest.len() == 1 {
                    self.value_done();
                } else {
                    self.state = State::Literal(&rest[1..]);
                }
            }
            State::Number(num) => return self.number(num, chunk, at),
            _ if is_space(byte) => {
                return at + chunk[at..].iter().take_while(|b| is_space(**b)).count();
            }
            State::Start | State::Value => self.value(byte),
            State::FirstItem if byte == b']' => self.close(false),
            State::FirstItem => self.value(byte),
            State::FirstKey if byte == b'}' => self.close(true),
            State::FirstKey | State::Key if byte == b'"' => self.state = State::Str { key: true },
            State::Colon if byte == b':' => self.state = State::Value,
            State::Next => match (byte, self.open.top_is_object()) {
                (b',', true) => self.state = State::Key,
                (b',', false) => self.state = State::Value,
                (b']', false) => self.close(false),
                (b'}', true) => self.close(true),
                _ => self.state = State::Failed,
            },
            _ => self.state = State::Failed,
        }
        at + 1
    }

    /// The first byte of a value.
    fn value(&mut self, byte: u8) {
        self.state = match byte {
            b'"' => State::Str { key: false },
            b'[' | b'{' => {
                let object = byte == b'{';
                self.open.push(object);
                if object {
                    State::FirstKey
                } else {
                    State::FirstItem
                }
            }
            b't' => State::Literal(b"rue"),
            b'f' => State::Literal(b"alse"),
            b'n' => State::Literal(b"ull"),
            b'-' => State::Number(Num::Minus),
            b'0' => State::Number(Num::Zero),
            b'1'..=b'9' => State::Number(Num::Int),
            _ => State::Failed,
        };
    }

    /// A byte of a number, or the first byte after one (checked again in
    /// the state the number's end leads to).
    fn number(&mut self, num: Num, chunk: &[u8], at: usize) -> usize {
        let byte = chunk[at];
        let next = match (num, byte) {
            (Num::Minus, b'0') => Num::Zero,
            (Num::Minus | Num::Int, b'0'..=b'9') => Num::Int,
            (Num::Zero | Num::Int, b'.') => Num::Point,
            (Num::Point | Num::Fraction, b'0'..=b'9') => Num::Fraction,
            (Num::Zero | Num::Int | Num::Fraction, b'e' | b'E') => Num::E,
            (Num::E, b'+' | b'-') => Num::ExponentSign,
            (Num::E | Num::ExponentSign | Num::Exponent, b'0'..=b'9') => Num::Exponent,
            (Num::Zero | Num::Int | Num::Fraction | Num::Exponent, b) if !b.is_ascii_digit() => {
                self.value_done();
                return at;
            }
            // A sign, point or `e` without its digit; a digit after a leading zero.
            _ => {
                self.state = State::Failed;
                return at;
            }
        };
        self.state = State::Number(next);
        at + 1
    }

    /// A container's closer.
    fn close(&mut self, object: bool) {
        debug_assert_eq!(self.open.top_is_object(), object);
        self.open.pop();
        self.value_done();
    }

    /// A value just ended.
    fn value_done(&mut self) {
        self.state = if self.open.depth == 0 {
            State::End
        } else {
            State::Next
        };
    }
}

/// JSON's whitespace (form feed is not).
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\t' | b'\r')
}

/// How many bytes of `bytes` a string takes as they are: up to the first
/// `"`, `\` or control character, eight at a time.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::MAX / 255;
    let words = bytes.chunks_exact(8);
    let tail = words.remainder().len();
    for (i, word) in words.enumerate() {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        let v = u64::from_le_bytes(eight);
        // Mycroft's test: the lowest flagged byte is the first match.
        let below = |n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v;
        let equal = |n: u8| {
            let x = v ^ (ONES * u64::from(n));
            x.wrapping_sub(ONES) & !x
        };
        let found = (below(0x20) | equal(b'"') | equal(b'\\')) & (ONES << 7);
        if found != 0 {
            return i * 8 + found.trailing_zeros() as usize / 8;
        }
    }
    let start = bytes.len() - tail;
    start
        + bytes[start..]
            .iter()
            .take_while(|&&b| b != b'"' && b != b'\\' && b >= 0x20)
            .count()
}

/// The open containers, innermost last: a bit each, set for an object.
#[derive(Debug, Default)]
struct Containers {
    bits: Vec<u64>,
    depth: usize,
}

impl Containers {
    fn push(&mut self, object: bool) {
        let (word, bit) = (self.depth / 64, self.depth % 64);
        if word == self.bits.len() {
            self.bits.push(0);
        }
        if object {
            self.bits[word] |= 1 << bit;
        } else {
            self.bits[word] &= !(1 << bit);
        }
        self.depth += 1;
    }

    fn pop(&mut self) {
        self.depth -= 1;
    }

    /// Whether the innermost container is an object (false when none is open).
    fn top_is_object(&self) -> bool {
        let Some(top) = self.depth.checked_sub(1) else {
            return false;
        };
        self.bits[top / 64] & (1 << (top % 64)) != 0
    }
}

/// UTF-8 checked across chunks: a character split between two chunks is
/// held (at most 3 bytes) until its end arrives.
#[derive(Debug, Default)]
struct Utf8Check {
    held: [u8; 4],
    held_len: usize,
}

impl Utf8Check {
    /// Whether the bytes so far may still be UTF-8.
    fn feed(&mut self, chunk: &[u8]) -> bool {
        let mut rest = chunk;
        if self.held_len > 0 {
            // The held start of a character, completed from this chunk.
            let take = rest.len().min(4 - self.held_len);
            let mut joined = self.held;
            joined[self.held_len..self.held_len + take].copy_from_slice(&rest[..take]);
            let joined_len = self.held_len + take;
            match std::str::from_utf8(&joined[..joined_len]) {
                Ok(_) => rest = &rest[take..],
                Err(e) if e.valid_up_to() > 0 => rest = &rest[e.valid_up_to() - self.held_len..],
                Err(e) if e.error_len().is_none() => {
                    // Still not all there: this chunk was shorter than it.
                    self.held = joined;
                    self.held_len = joined_len;
                    return true;
                }
                Err(_) => return false,
            }
            self.held_len = 0;
        }
        match std::str::from_utf8(rest) {
            Ok(_) => true,
            Err(e) if e.error_len().is_none() => {
                let tail = &rest[e.valid_up_to()..];
                self.held[..tail.len()].copy_from_slice(tail);
                self.held_len = tail.len();
                true
            }
            Err(_) => false,
        }
    }

    /// No character was left unfinished.
    fn is_complete(&self) -> bool {
        self.held_len == 0
    }
}

#[cfg(test)]
mod tests;
