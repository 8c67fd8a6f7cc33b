//! Streaming sign requests and answers, so memory stays bounded by a chunk, not by a request:
//! the request body is the JSON of the request with each document's `base64Content` encoded from
//! its file while it is sent, and the answer is parsed as it arrives, each `signedContent` decoded
//! straight into its own buffer (the answer text is never held whole).

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use serde_json::value::RawValue;
use serde_json::Value;
use struson::reader::{JsonReader, JsonStreamReader, ValueType};

use super::content::{decode_base64, AnswerBuffers, AnswerText, InvalidContent, SignedContent};
use crate::classify;
use crate::error::SignStashError;
use crate::model::{SignOperation, SignRequest};

/// Bytes read from a file per body chunk: a multiple of 3, so chunks encode without padding.
const READ_CHUNK: usize = 3 * 256 * 1024;

/// A sign request whose document contents are read from files when (and each time) it is sent.
#[derive(Clone)]
pub(crate) struct StreamedBody {
    /// The JSON text around the contents: `segments[i]` comes before the content of `files[i]`.
    segments: Arc<Vec<Bytes>>,
    files: Arc<Vec<PathBuf>>,
    /// The body's exact length, from the files' sizes when the request was laid out.
    length: u64,
}

impl StreamedBody {
    /// `request`'s JSON with the content of `files[i]` as the `base64Content` of document `i`
    /// (whatever the request holds there is ignored).
    pub(crate) fn new(request: &SignRequest, files: &[PathBuf]) -> Result<Self, SignStashError> {
        let mut content_length = 0u64;
        for path in files {
            let size = std::fs::metadata(path)
                .map_err(|e| SignStashError::HttpClient(format!("{}: {e}", path.display())))?
                .len();
            content_length += size.div_ceil(3) * 4;
        }
        if request.documents.len() != files.len() {
            return Err(SignStashError::HttpClient(
                "one file is needed per document".into(),
            ));
        }
        // A marker no document field can hold by chance; the JSON is split where it stands.
        let marker = format!("signstash-content-{}", uuid::Uuid::new_v4().simple());
        let mut template = request.clone();
        for document in &mut template.documents {
            document.document_request.base64_content.clone_from(&marker);
        }
        let text =
            serde_json::to_vec(&template).map_err(|e| SignStashError::HttpClient(e.to_string()))?;
        let segments = split_at(&text, marker.as_bytes());
        if segments.len() != files.len() + 1 {
            return Err(SignStashError::HttpClient(
                "the request could not be laid out".into(),
            ));
        }
        let length = content_length + segments.iter().map(|s| s.len() as u64).sum::<u64>();
        Ok(Self {
            segments: Arc::new(segments),
            files: Arc::new(files.to_vec()),
            length,
        })
    }

    /// A fresh body; each call reads the files again.
    pub(crate) fn to_body(&self) -> reqwest::Body {
        reqwest::Body::wrap_stream(self.chunks())
    }

    /// Sent as Content-Length (not chunked: some gateways refuse chunked requests). A file that
    /// changed size since makes the request fail rather than send something else.
    pub(crate) fn length(&self) -> u64 {
        self.length
    }

    fn chunks(&self) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
        let segments = Arc::clone(&self.segments);
        let files = Arc::clone(&self.files);
        let parts = (0..files.len()).flat_map(move |i| [Part::Text(i), Part::File(i)]);
        let last = segments.len() - 1;
        futures_util::stream::iter(parts.chain([Part::Text(last)])).flat_map(move |part| match part
        {
            Part::Text(i) => {
                futures_util::stream::once(futures_util::future::ready(Ok(segments[i].clone())))
                    .boxed()
            }
            Part::File(i) => encoded_file(files[i].clone()).boxed(),
        })
    }
}

enum Part {
    Text(usize),
    File(usize),
}

/// The base64 of a file, in chunks. Reads are small and from local disk, so they are done inline.
fn encoded_file(path: PathBuf) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    let opened = std::fs::File::open(&path);
    futures_util::stream::try_unfold(Some(opened), |state| async move {
        let Some(file) = state else { return Ok(None) };
        let mut file = file?;
        // Sized to what is left of the file and not zeroed: a fresh zeroed chunk per small file
        // cost more (memset and page faults) than encoding it.
        let left = file
            .metadata()
            .ok()
            .and_then(|m| usize::try_from(m.len()).ok())
            .unwrap_or(READ_CHUNK);
        let mut buffer = Vec::with_capacity(left.clamp(1, READ_CHUNK));
        let filled = fill(&mut file, &mut buffer)?;
        if filled == 0 {
            return Ok(None);
        }
        let chunk = Bytes::from(base64_simd::STANDARD.encode_type::<Vec<u8>>(&buffer));
        // A short read means the end of the file: the padding, if any, ends the content.
        let next = (filled == READ_CHUNK).then_some(Ok(file));
        Ok(Some((chunk, next)))
    })
}

/// Appends to `buffer` until it holds [`READ_CHUNK`] bytes or the file ends.
fn fill(file: &mut impl Read, buffer: &mut Vec<u8>) -> io::Result<usize> {
    file.take(READ_CHUNK as u64).read_to_end(buffer)?;
    Ok(buffer.len())
}

/// `text` cut at each occurrence of `marker`, the markers left out.
fn split_at(text: &[u8], marker: &[u8]) -> Vec<Bytes> {
    let mut parts = Vec::new();
    let mut start = 0;
    for at in memchr::memmem::find_iter(text, marker) {
        parts.push(Bytes::copy_from_slice(&text[start..at]));
        start = at + marker.len();
    }
    parts.push(Bytes::copy_from_slice(&text[start..]));
    parts
}

/// A sign answer: the operation without its contents, and each document's `signedContent` by
/// externalReference.
pub struct StreamedAnswer {
    pub operation: SignOperation,
    pub contents: HashMap<String, SignedContent>,
}

/// Reads a successful sign answer: each `signedContent` decoded aside, the rest as the operation.
/// `expected_size` sizes each decoded buffer once (the signed document is the original plus a
/// signature), so it is not grown by copying.
pub(crate) async fn read_answer(
    response: reqwest::Response,
    host: &str,
    limit: u64,
    read_whole_max: u64,
    expected_size: usize,
    buffers: &Arc<AnswerBuffers>,
) -> Result<StreamedAnswer, SignStashError> {
    let status = response.status().as_u16();
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(SignStashError::AnswerTooLarge { limit_bytes: limit });
    }
    if response
        .content_length()
        .is_some_and(|n| n <= read_whole_max)
    {
        let mut response = response;
        let body = super::http::read_body(&mut response, host, limit, buffers.take()).await?;
        // Parsing and decoding tens of documents takes milliseconds of CPU: done off the async
        // task, which also drives the other requests in flight.
        let host = host.to_string();
        let answer = Arc::new(AnswerText::new(body, buffers));
        return tokio::task::spawn_blocking(move || {
            parse_answer_bytes(&answer).map_err(|e| answer_error(e, status, &host, limit))
        })
        .await
        .map_err(|e| SignStashError::HttpClient(format!("answer reader: {e}")))?;
    }
    let mut seen = 0u64;
    let bytes = response.bytes_stream().map(move |chunk| {
        let chunk = chunk.map_err(io::Error::other)?;
        seen += chunk.len() as u64;
        if seen > limit {
            return Err(io::Error::other(TooLarge));
        }
        Ok(chunk)
    });
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(
        bytes.map_err(|e: io::Error| e),
    ));
    let host = host.to_string();
    tokio::task::spawn_blocking(move || {
        parse_answer(
            io::BufReader::with_capacity(64 * 1024, reader),
            expected_size,
        )
        .map_err(|e| answer_error(e, status, &host, limit))
    })
    .await
    .map_err(|e| SignStashError::HttpClient(format!("answer reader: {e}")))?
}

#[derive(Debug)]
struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("answer too large")
    }
}

impl std::error::Error for TooLarge {}

/// What went wrong while reading an answer: the transport, or its content.
enum ReadError {
    Io(io::Error),
    Content(String),
}

impl From<struson::reader::ReaderError> for ReadError {
    fn from(error: struson::reader::ReaderError) -> Self {
        match error {
            struson::reader::ReaderError::IoError { error, .. } => ReadError::Io(error),
            other => ReadError::Content(other.to_string()),
        }
    }
}

impl From<struson::reader::TransferError> for ReadError {
    fn from(error: struson::reader::TransferError) -> Self {
        match error {
            struson::reader::TransferError::ReaderError(e) => e.into(),
            struson::reader::TransferError::WriterError(e) => ReadError::Io(e),
        }
    }
}

fn answer_error(error: ReadError, status: u16, host: &str, limit: u64) -> SignStashError {
    match error {
        ReadError::Io(e) => {
            // The cause may sit several wrappers deep (the JSON reader wraps what the body
            // stream reported): look down the chain for the transport's own error.
            let mut cause: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|i| i as _);
            while let Some(current) = cause {
                if current.is::<TooLarge>() {
                    return SignStashError::AnswerTooLarge { limit_bytes: limit };
                }
                if let Some(http) = current.downcast_ref::<reqwest::Error>() {
                    return classify::transport(http, host);
                }
                cause = match current.downcast_ref::<io::Error>() {
                    Some(io) => io.get_ref().map(|i| i as _),
                    None => current.source(),
                };
            }
            SignStashError::Malformed {
                status,
                detail: classify::truncate(&e.to_string()),
            }
        }
        ReadError::Content(detail) => SignStashError::Malformed {
            status,
            detail: classify::truncate(&detail),
        },
    }
}

fn parse_answer(reader: impl Read, expected_size: usize) -> Result<StreamedAnswer, ReadError> {
    let mut json = JsonStreamReader::new(reader);
    let mut top = serde_json::Map::new();
    let mut contents = HashMap::new();
    json.begin_object()?;
    while json.has_next()? {
        let name = json.next_name_owned()?;
        if name == "documentList" && json.peek()? == ValueType::Array {
            let mut list = Vec::new();
            json.begin_array()?;
            while json.has_next()? {
                list.push(parse_document(&mut json, expected_size, &mut contents)?);
            }
            json.end_array()?;
            top.insert(name, Value::Array(list));
        } else {
            top.insert(name, json.deserialize_next::<Value>().map_err(content)?);
        }
    }
    json.end_object()?;
    json.consume_trailing_whitespace()?;
    let operation = serde_json::from_value(Value::Object(top))
        .map_err(|e| ReadError::Content(format!("SignOperation: {e}")))?;
    Ok(StreamedAnswer {
        operation,
        contents,
    })
}

/// The same answer parsed from memory in one scan of the text: each `signedContent` is left in
/// the text, to be decoded when its document is saved. (Parsing `documentList` and then each
/// document as raw values again scanned ~13 MB of answer three times; that scan was the largest
/// JSON cost in a profile.)
fn parse_answer_bytes(answer: &Arc<AnswerText>) -> Result<StreamedAnswer, ReadError> {
    let body = answer.bytes();
    let syntax = |e: serde_json::Error| ReadError::Content(e.to_string());
    let members = serde_json::from_slice::<AnswerMembers<'_>>(body)
        .map_err(syntax)?
        .0;
    let mut top = serde_json::Map::new();
    let mut contents = HashMap::new();
    for (name, member) in members {
        let value = match member {
            TopMember::Raw(raw) => serde_json::from_str(raw.get()).map_err(syntax)?,
            TopMember::Documents(ListOr::Parsed(value)) => value,
            TopMember::Documents(ListOr::List(list)) => {
                let mut documents = Vec::with_capacity(list.len());
                for element in list {
                    documents.push(match element {
                        ObjectOr::Object(members) => {
                            document_in_place(answer, members, &mut contents)?
                        }
                        ObjectOr::Parsed(value) => value,
                    });
                }
                Value::Array(documents)
            }
        };
        top.insert(name, value);
    }
    let operation = serde_json::from_value(Value::Object(top))
        .map_err(|e| ReadError::Content(format!("SignOperation: {e}")))?;
    Ok(StreamedAnswer {
        operation,
        contents,
    })
}

/// A JSON object's members in order, each value left as unparsed text.
type RawMembers<'a> = Vec<(String, &'a RawValue)>;

/// The answer's top-level members: `documentList` split into its documents' members as it is
/// read, every other value left as unparsed text.
struct AnswerMembers<'a>(Vec<(String, TopMember<'a>)>);

enum TopMember<'a> {
    Raw(&'a RawValue),
    Documents(ListOr<'a>),
}

/// `documentList` as read: an array (the normal case), or whatever else the service sent.
enum ListOr<'a> {
    List(Vec<ObjectOr<'a>>),
    Parsed(Value),
}

/// One element of `documentList`: an object's members, or whatever else the service sent.
enum ObjectOr<'a> {
    Object(RawMembers<'a>),
    Parsed(Value),
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for AnswerMembers<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Members<'a> {
            type Value = AnswerMembers<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut members = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let member = if name == "documentList" {
                        TopMember::Documents(map.next_value()?)
                    } else {
                        TopMember::Raw(map.next_value()?)
                    };
                    members.push((name, member));
                }
                Ok(AnswerMembers(members))
            }
        }
        deserializer.deserialize_map(Members(std::marker::PhantomData))
    }
}

/// The scalar methods of a visitor of any JSON value: each scalar becomes a parsed [`Value`],
/// wrapped by `$parsed` (the visitor itself handles arrays and objects).
macro_rules! visit_scalars_as_value {
    ($parsed:expr) => {
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($parsed(Value::Null))
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok($parsed(Value::Bool(v)))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok($parsed(Value::from(v)))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok($parsed(Value::from(v)))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok($parsed(Value::from(v)))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok($parsed(Value::String(v.to_owned())))
        }
    };
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for ListOr<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = ListOr<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            visit_scalars_as_value!(ListOr::Parsed);
            fn visit_seq<S: serde::de::SeqAccess<'de>>(
                self,
                mut seq: S,
            ) -> Result<Self::Value, S::Error> {
                let mut list = Vec::new();
                while let Some(element) = seq.next_element()? {
                    list.push(element);
                }
                Ok(ListOr::List(list))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                map: M,
            ) -> Result<Self::Value, M::Error> {
                use serde::Deserialize;
                Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(ListOr::Parsed)
            }
        }
        deserializer.deserialize_any(Visit(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for ObjectOr<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = ObjectOr<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            visit_scalars_as_value!(ObjectOr::Parsed);
            fn visit_seq<S: serde::de::SeqAccess<'de>>(
                self,
                seq: S,
            ) -> Result<Self::Value, S::Error> {
                use serde::Deserialize;
                Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(ObjectOr::Parsed)
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(ObjectOr::Object(members))
            }
        }
        deserializer.deserialize_any(Visit(std::marker::PhantomData))
    }
}

/// One document's members: its fields as JSON, except `signedContent`, left in `answer`'s text.
fn document_in_place(
    answer: &Arc<AnswerText>,
    members: RawMembers<'_>,
    contents: &mut HashMap<String, SignedContent>,
) -> Result<Value, ReadError> {
    let syntax = |e: serde_json::Error| ReadError::Content(e.to_string());
    let mut fields = serde_json::Map::new();
    let mut content = None;
    for (name, raw) in members {
        let text = raw.get();
        if name == "signedContent" && text.starts_with('"') {
            // The raw value is a slice of the answer's text: its place there is its range. Found
            // from the addresses (comparing the bytes would scan the whole document again).
            let body = answer.bytes().as_ptr_range();
            let inside =
                body.start <= text.as_ptr() && text.as_bytes().as_ptr_range().end <= body.end;
            let start = (text.as_ptr() as usize).wrapping_sub(body.start as usize);
            let range = start..start + text.len();
            content = Some(if inside {
                SignedContent::InAnswer {
                    answer: Arc::clone(answer),
                    range,
                }
            } else {
                let unescaped: String = serde_json::from_str(text).map_err(syntax)?;
                SignedContent::Decoded(decode_base64(unescaped.as_bytes()))
            });
        } else {
            fields.insert(name, serde_json::from_str(text).map_err(syntax)?);
        }
    }
    if let (Some(content), Some(Value::String(reference))) =
        (content, fields.get("externalReference"))
    {
        contents.entry(reference.clone()).or_insert(content);
    }
    Ok(Value::Object(fields))
}

fn content(error: struson::serde::DeserializerError) -> ReadError {
    match error {
        struson::serde::DeserializerError::ReaderError(e) => e.into(),
        other => ReadError::Content(other.to_string()),
    }
}

/// One element of `documentList`: its fields as JSON, except `signedContent`, decoded aside.
fn parse_document<R: Read>(
    json: &mut JsonStreamReader<R>,
    expected_size: usize,
    contents: &mut HashMap<String, SignedContent>,
) -> Result<Value, ReadError> {
    if json.peek()? != ValueType::Object {
        return json.deserialize_next::<Value>().map_err(content);
    }
    let mut fields = serde_json::Map::new();
    let mut decoded = None;
    json.begin_object()?;
    while json.has_next()? {
        let name = json.next_name_owned()?;
        if name == "signedContent" && json.peek()? == ValueType::String {
            decoded = Some(decode_string(json, expected_size)?);
        } else {
            fields.insert(name, json.deserialize_next::<Value>().map_err(content)?);
        }
    }
    json.end_object()?;
    if let (Some(decoded), Some(Value::String(reference))) =
        (decoded, fields.get("externalReference"))
    {
        contents
            .entry(reference.clone())
            .or_insert(SignedContent::Decoded(decoded));
    }
    Ok(Value::Object(fields))
}

/// Decodes a JSON string value as base64 while reading it; whitespace inside is skipped.
fn decode_string<R: Read>(
    json: &mut JsonStreamReader<R>,
    expected_size: usize,
) -> Result<Result<Vec<u8>, InvalidContent>, ReadError> {
    let mut decoded = Vec::with_capacity(expected_size);
    let mut valid = true;
    let mut pending: Vec<u8> = Vec::with_capacity(READ_CHUNK + 4);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut text = json.next_string_reader()?;
    loop {
        let n = match text.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // The string reader reports the reader's own failures as io errors.
            Err(e) => return Err(ReadError::Io(e)),
        };
        if !valid {
            continue;
        }
        let read = &chunk[..n];
        if read.iter().any(u8::is_ascii_whitespace) {
            pending.extend(read.iter().filter(|b| !b.is_ascii_whitespace()));
        } else {
            pending.extend_from_slice(read);
        }
        let whole = pending.len() / 4 * 4;
        // Padding may only end the content: a full quad with '=' before more data fails below.
        if base64_simd::STANDARD
            .decode_append(&pending[..whole], &mut decoded)
            .is_err()
        {
            valid = false;
        }
        pending.drain(..whole);
    }
    drop(text);
    if valid && !pending.is_empty() {
        // The last group may lack its padding.
        match base64_simd::forgiving_decode_to_vec(&pending) {
            Ok(last) => decoded.extend_from_slice(&last),
            Err(_) => valid = false,
        }
    }
    Ok(if valid {
        Ok(decoded)
    } else {
        Err(InvalidContent)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` parsed as an answer read whole.
    fn in_place(text: &[u8]) -> Result<StreamedAnswer, ReadError> {
        parse_answer_bytes(&Arc::new(AnswerText::new(text.to_vec(), &Arc::default())))
    }

    fn decoded(answer: &StreamedAnswer) -> HashMap<String, Result<Vec<u8>, InvalidContent>> {
        answer
            .contents
            .iter()
            .map(|(reference, content)| (reference.clone(), content.to_vec()))
            .collect()
    }
    use crate::model::{Base64Document, ContentType, SignDocument, SignatureInfo, SignatureType};
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    fn request(n: usize) -> SignRequest {
        let documents = (0..n)
            .map(|i| SignDocument {
                document_request: Base64Document::from_bytes(
                    format!("r-{i}"),
                    format!("{i}.pdf"),
                    ContentType::Pdf,
                    b"",
                ),
                signature_info: SignatureInfo::new(SignatureType::PAdES),
            })
            .collect();
        SignRequest::new("r", "d", documents)
    }

    #[tokio::test]
    async fn body_is_the_request_with_contents_from_the_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Sizes around the read chunk, so the last chunk is padded or not.
        let sizes = [
            0,
            1,
            READ_CHUNK - 1,
            READ_CHUNK,
            READ_CHUNK + 2,
            3 * READ_CHUNK + 1,
        ];
        let mut files = Vec::new();
        let mut originals = Vec::new();
        for (i, size) in sizes.iter().enumerate() {
            let bytes: Vec<u8> = (0..*size).map(|b| (b * 7 + i) as u8).collect();
            let path = dir.path().join(format!("{i}.pdf"));
            std::fs::write(&path, &bytes).expect("write");
            files.push(path);
            originals.push(bytes);
        }
        let body = StreamedBody::new(&request(sizes.len()), &files).expect("body");
        let text: Vec<u8> = body
            .chunks()
            .try_fold(Vec::new(), |mut all, chunk| async move {
                all.extend_from_slice(&chunk);
                Ok(all)
            })
            .await
            .expect("stream");
        let sent: SignRequest = serde_json::from_slice(&text).expect("valid JSON");
        for (document, original) in sent.documents.iter().zip(&originals) {
            let content = STANDARD
                .decode(&document.document_request.base64_content)
                .expect("base64");
            assert_eq!(&content, original);
        }
        assert_eq!(sent.external_reference, "r");
        assert!(sent.return_signed_content);
    }

    #[tokio::test]
    async fn an_unreadable_file_fails_the_stream() {
        assert!(StreamedBody::new(&request(1), &["/nonexistent/x.pdf".into()]).is_err());
        // A file gone between laying out the request and sending it fails the body.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gone.pdf");
        std::fs::write(&path, b"%PDF-1.7").expect("write");
        let body = StreamedBody::new(&request(1), std::slice::from_ref(&path)).expect("body");
        std::fs::remove_file(&path).expect("remove");
        let result: Result<Vec<Bytes>, io::Error> = body.chunks().try_collect().await;
        assert!(result.is_err());
    }

    #[test]
    fn answer_contents_are_decoded_aside_and_bad_ones_flagged() {
        let text = format!(
            r#"{{"id": 7, "documentList": [
                {{"signedContent": "{}", "externalReference": "a", "signStatus": "SIGNED"}},
                {{"externalReference": "b", "signedContent": "bm90\nIGJhc2U2NA==", "signStatus": "SIGNED"}},
                {{"externalReference": "c", "signedContent": "*not base64*", "signStatus": "SIGNED"}},
                {{"externalReference": "d", "signedContent": null, "signStatus": "ERROR_SIGNING"}},
                {{"externalReference": "e", "signedContent": "bm90IGJh\r\n c2U2NA", "signStatus": "SIGNED"}}
            ], "extra": {{"x": [1, 2]}}}}"#,
            STANDARD.encode(vec![5u8; 100_000])
        );
        let streamed = parse_answer(text.as_bytes(), 10).ok().expect("parsed");
        let read_whole = in_place(text.as_bytes()).ok().expect("parsed");
        for answer in [streamed, read_whole] {
            assert_eq!(answer.operation.id, Some(7));
            assert_eq!(answer.operation.document_list.len(), 5);
            assert!(answer
                .operation
                .document_list
                .iter()
                .all(|d| d.signed_content.is_none()));
            let contents = decoded(&answer);
            assert_eq!(contents["a"], Ok(vec![5u8; 100_000]));
            assert_eq!(contents["b"], Ok(b"not base64".to_vec()));
            assert_eq!(contents["c"], Err(InvalidContent));
            assert!(!contents.contains_key("d"));
            // Line breaks, a space and no padding: still the same bytes.
            assert_eq!(contents["e"], Ok(b"not base64".to_vec()));
        }
    }

    #[test]
    fn unusual_document_lists_are_kept_as_sent() {
        for text in [
            r#"{"id": 3, "documentList": [{"externalReference": "a", "signedContent": "YQ==", "signStatus": "SIGNED"}]}"#,
            r#"{"id": 3, "documentList": [{"externalReference": "a", "signedContent": "Y\u0051==", "signStatus": "SIGNED"}, {"externalReference": "b"}]}"#,
        ] {
            let read_whole = in_place(text.as_bytes()).ok().expect(text);
            let streamed = parse_answer(text.as_bytes(), 10).ok().expect(text);
            assert_eq!(read_whole.operation.id, Some(3));
            assert_eq!(decoded(&read_whole).get("a"), Some(&Ok(b"a".to_vec())));
            assert_eq!(decoded(&read_whole), decoded(&streamed), "{text}");
            assert_eq!(
                read_whole.operation.document_list.len(),
                streamed.operation.document_list.len(),
                "{text}"
            );
        }
    }

    #[test]
    fn odd_shapes_are_read_alike_both_ways() {
        for text in [
            r#"{"id": 3, "documentList": null}"#,
            r#"{"id": 3, "documentList": []}"#,
            r#"{"id": 3, "documentList": {"x": 1}}"#,
            r#"{"id": 3, "documentList": [null, 1, [2]]}"#,
        ] {
            let read_whole = in_place(text.as_bytes()).ok();
            let streamed = parse_answer(text.as_bytes(), 10).ok();
            assert_eq!(read_whole.is_some(), streamed.is_some(), "{text}");
            if let (Some(a), Some(b)) = (read_whole, streamed) {
                assert_eq!(
                    a.operation.document_list.len(),
                    b.operation.document_list.len()
                );
                assert!(a.contents.is_empty() && b.contents.is_empty());
            }
        }
    }

    #[test]
    fn broken_answers_are_errors() {
        for text in [
            r#"{"id": 1, "documentList": [{"#,
            "not json",
            r#"{"id": 1} trailing"#,
        ] {
            assert!(parse_answer(text.as_bytes(), 10).is_err(), "{text}");
            assert!(in_place(text.as_bytes()).is_err(), "{text}");
        }
    }
}
