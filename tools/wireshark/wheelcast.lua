-- Wheelcast wire format, version 1 (docs/wire-format.md): a Wireshark / tshark dissector.
--
--   wireshark -X lua_script:tools/wireshark/wheelcast.lua capture.pcap
--   tshark -X lua_script:tools/wireshark/wheelcast.lua -r capture.pcap -Y wheelcast
--
-- Decodes UDP on port 45454 by default (Edit > Preferences > Protocols > Wheelcast, or
-- -o wheelcast.port:N) and, heuristically, any UDP datagram that starts with the magic "WC"
-- version 1, or with the classic snippet's "kill:". Every field of the header and of each
-- frame type; the 16-byte authentication tag when the header says so. A datagram that
-- breaks a rule of the format gets an expert "malformed" mark naming the rule.

local wc = Proto("wheelcast", "Wheelcast")

local FRAME_TYPES = {
    [1] = "SCHEDULE", [2] = "KILL", [3] = "KILL_ACK", [4] = "HEARTBEAT", [5] = "FIRED", [6] = "REPLICATED",
    [7] = "MEMBERS", [8] = "KILL_FORWARD", [9] = "SETTLED",
}
local FAMILIES = { [4] = "IPv4", [6] = "IPv6" }
local OUTCOMES = { [1] = "CANCELLED", [2] = "ALREADY_FIRED" }
local HEADER_LENGTH = 36
local TAG_LENGTH = 16

local f = wc.fields
f.magic = ProtoField.uint16("wheelcast.magic", "Magic", base.HEX)
f.version = ProtoField.uint8("wheelcast.version", "Version")
f.flags = ProtoField.uint8("wheelcast.flags", "Flags", base.HEX)
f.authenticated = ProtoField.bool("wheelcast.flags.authenticated", "Authenticated", 8, nil, 0x01)
f.direct = ProtoField.bool("wheelcast.flags.direct", "Direct (one member; direct sequence)", 8, nil, 0x02)
f.cluster = ProtoField.uint32("wheelcast.cluster", "Cluster id")
f.sender = ProtoField.uint64("wheelcast.sender", "Sender id", base.HEX)
f.sequence = ProtoField.int64("wheelcast.sequence", "Sequence")
f.timestamp = ProtoField.int64("wheelcast.timestamp_ms", "Timestamp (ms since epoch)")
f.frame_count = ProtoField.uint16("wheelcast.frame_count", "Frame count")
f.key_id = ProtoField.uint8("wheelcast.key_id", "Key id")
f.reserved = ProtoField.uint8("wheelcast.reserved", "Reserved")
f.ftype = ProtoField.uint8("wheelcast.frame.type", "Frame type", base.DEC, FRAME_TYPES)
f.fflags = ProtoField.uint8("wheelcast.frame.flags", "Frame flags", base.HEX)
f.ack_any = ProtoField.bool("wheelcast.frame.flags.ack_any", "ACK_ANY", 8, nil, 0x01)
f.adopted = ProtoField.bool("wheelcast.frame.flags.adopted", "ADOPTED", 8, nil, 0x02)
f.for_dead_owner = ProtoField.bool("wheelcast.frame.flags.for_dead_owner", "FOR_DEAD_OWNER (a holder's answer)", 8, nil, 0x01)
f.flength = ProtoField.uint16("wheelcast.frame.length", "Frame length")
f.delay = ProtoField.int64("wheelcast.delay_ms", "Delay (ms)")
f.owner = ProtoField.uint64("wheelcast.owner", "Owner id", base.HEX)
f.request = ProtoField.int64("wheelcast.request", "Request id")
f.canceller = ProtoField.uint64("wheelcast.canceller", "Canceller id", base.HEX)
f.outcome = ProtoField.uint8("wheelcast.outcome", "Outcome", base.DEC, OUTCOMES)
f.id_length = ProtoField.uint16("wheelcast.id_length", "Id length")
f.payload_length = ProtoField.uint16("wheelcast.payload_length", "Payload length")
f.id = ProtoField.string("wheelcast.id", "Timer id")
f.payload = ProtoField.bytes("wheelcast.payload", "Payload")
f.live_timers = ProtoField.uint32("wheelcast.live_timers", "Live timers")
f.interval = ProtoField.uint32("wheelcast.interval_ms", "Heartbeat interval (ms; 0 = goodbye)")
f.beat = ProtoField.uint32("wheelcast.beat", "Beat")
f.unsettled_for = ProtoField.uint32("wheelcast.unsettled_for_ms", "Unsettled for (ms; every expiry due earlier has had its listener return)")
f.member_count = ProtoField.uint16("wheelcast.members.count", "Members")
f.member_id = ProtoField.uint64("wheelcast.member.id", "Member id", base.HEX)
f.member_port = ProtoField.uint16("wheelcast.member.port", "Port")
f.member_family = ProtoField.uint8("wheelcast.member.family", "Family", base.DEC, FAMILIES)
f.member_ipv4 = ProtoField.ipv4("wheelcast.member.ipv4", "Address")
f.member_ipv6 = ProtoField.ipv6("wheelcast.member.ipv6", "Address")
f.unknown_body = ProtoField.bytes("wheelcast.frame.body", "Body (unknown frame type)")
f.tag = ProtoField.bytes("wheelcast.tag", "Authentication tag (HMAC-SHA-256/128)")
f.text_kill = ProtoField.string("wheelcast.text_kill", "Text kill id (kill:<id>)")

local e_malformed = ProtoExpert.new("wheelcast.malformed", "Malformed Wheelcast datagram", expert.group.MALFORMED, expert.severity.ERROR)
wc.experts = { e_malformed }

local port_pref = 45454
wc.prefs.port = Pref.uint("UDP port", port_pref, "The group's UDP port")

local function malformed(tree, item, why)
    tree:add_proto_expert_info(e_malformed, why)
    return false
end

-- Fixed part of each known frame type: bytes after the 4-byte frame header before the id,
-- and where the id length sits (offset from the frame start).
local LAYOUT = {
    [1] = { fixed = 24, id_len_at = 20 },
    [2] = { fixed = 16, id_len_at = 12 },
    [3] = { fixed = 24, id_len_at = 22 },
    [5] = { fixed = 16, id_len_at = 12 },
    [6] = { fixed = 16, id_len_at = 12 },
    [8] = { fixed = 24, id_len_at = 20 },
}

local function dissect_frame(buf, at, frames_end, tree, pinfo, counts)
    if at + 4 > frames_end then
        return nil, "FRAME_HEADER_TRUNCATED"
    end
    local ftype = buf(at, 1):uint()
    local flen = buf(at + 2, 2):le_uint()
    if flen < 4 then
        return nil, "FRAME_LENGTH_INVALID"
    end
    if at + flen > frames_end then
        return nil, "FRAME_TRUNCATED"
    end
    local name = FRAME_TYPES[ftype] or ("UNKNOWN(" .. ftype .. ")")
    local ft = tree:add(wc, buf(at, flen), name)
    ft:add(f.ftype, buf(at, 1))
    local flags = ft:add(f.fflags, buf(at + 1, 1))
    ft:add_le(f.flength, buf(at + 2, 2))
    counts[#counts + 1] = name
    local layout = LAYOUT[ftype]
    if layout then
        local id_len = buf(at + layout.id_len_at, 2):le_uint()
        local payload_len = ftype == 1 and buf(at + 22, 2):le_uint() or 0
        if flen ~= layout.fixed + id_len + payload_len then
            return nil, "FRAME_LENGTH_INVALID (" .. name .. " of " .. flen .. " bytes, fields imply " .. (layout.fixed + id_len + payload_len) .. ")"
        end
        if id_len == 0 then
            return nil, "ID_EMPTY"
        end
        if ftype == 1 then
            flags:add(f.ack_any, buf(at + 1, 1))
            flags:add(f.adopted, buf(at + 1, 1))
            ft:add_le(f.delay, buf(at + 4, 8))
            ft:add_le(f.owner, buf(at + 12, 8))
            ft:add_le(f.id_length, buf(at + 20, 2))
            ft:add_le(f.payload_length, buf(at + 22, 2))
        elseif ftype == 2 then
            ft:add_le(f.request, buf(at + 4, 8))
            ft:add_le(f.id_length, buf(at + 12, 2))
        elseif ftype == 3 then
            flags:add(f.for_dead_owner, buf(at + 1, 1))
            ft:add_le(f.request, buf(at + 4, 8))
            ft:add_le(f.canceller, buf(at + 12, 8))
            local outcome = buf(at + 20, 1):uint()
            ft:add(f.outcome, buf(at + 20, 1))
            if not OUTCOMES[outcome] then
                return nil, "BAD_OUTCOME " .. outcome
            end
            ft:add_le(f.id_length, buf(at + 22, 2))
        elseif ftype == 8 then
            ft:add_le(f.request, buf(at + 4, 8))
            ft:add_le(f.canceller, buf(at + 12, 8))
            ft:add_le(f.id_length, buf(at + 20, 2))
        else -- FIRED, REPLICATED
            ft:add_le(f.owner, buf(at + 4, 8))
            ft:add_le(f.id_length, buf(at + 12, 2))
        end
        local id_at = at + layout.fixed
        ft:add(f.id, buf(id_at, id_len))
        ft:append_text(": " .. buf(id_at, id_len):string())
        if payload_len > 0 then
            ft:add(f.payload, buf(id_at + id_len, payload_len))
        end
    elseif ftype == 4 then
        if flen ~= 16 then
            return nil, "FRAME_LENGTH_INVALID (HEARTBEAT of " .. flen .. " bytes)"
        end
        ft:add_le(f.live_timers, buf(at + 4, 4))
        ft:add_le(f.interval, buf(at + 8, 4))
        ft:add_le(f.beat, buf(at + 12, 4))
        if buf(at + 8, 4):le_uint() == 0 then
            ft:append_text(" (goodbye)")
        end
    elseif ftype == 9 then
        if flen ~= 8 then
            return nil, "FRAME_LENGTH_INVALID (SETTLED of " .. flen .. " bytes)"
        end
        ft:add_le(f.unsettled_for, buf(at + 4, 4))
        ft:append_text(": " .. buf(at + 4, 4):le_uint() .. " ms")
    elseif ftype == 7 then
        if flen < 8 then
            return nil, "FRAME_LENGTH_INVALID (MEMBERS of " .. flen .. " bytes)"
        end
        local count = buf(at + 4, 2):le_uint()
        if count == 0 or flen ~= 8 + 28 * count then
            return nil, "FRAME_LENGTH_INVALID (MEMBERS of " .. flen .. " bytes for " .. count .. " entries)"
        end
        ft:add_le(f.member_count, buf(at + 4, 2))
        for i = 0, count - 1 do
            local e = at + 8 + 28 * i
            local family = buf(e + 10, 1):uint()
            local et = ft:add(wc, buf(e, 28), "Member")
            et:add_le(f.member_id, buf(e, 8))
            et:add_le(f.member_port, buf(e + 8, 2))
            et:add(f.member_family, buf(e + 10, 1))
            if family == 4 then
                et:add(f.member_ipv4, buf(e + 12, 4))
                et:append_text(" " .. tostring(buf(e + 12, 4):ipv4()) .. ":" .. buf(e + 8, 2):le_uint())
            elseif family == 6 then
                et:add(f.member_ipv6, buf(e + 12, 16))
            end
        end
    elseif flen > 4 then
        ft:add(f.unknown_body, buf(at + 4, flen - 4))
    end
    return at + flen, nil
end

local function dissect_text_kill(buf, pinfo, tree)
    pinfo.cols.protocol = "Wheelcast"
    local len = buf:len()
    local id_end = len
    while id_end > 5 and (buf(id_end - 1, 1):uint() == 10 or buf(id_end - 1, 1):uint() == 13) do
        id_end = id_end - 1
    end
    local t = tree:add(wc, buf(), "Wheelcast text kill")
    if id_end <= 5 then
        t:add_proto_expert_info(e_malformed, "text kill with an empty id")
        pinfo.cols.info = "kill: (empty)"
        return len
    end
    t:add(f.text_kill, buf(5, id_end - 5))
    pinfo.cols.info = "kill:" .. buf(5, id_end - 5):string()
    return len
end

function wc.dissector(buf, pinfo, tree)
    local len = buf:len()
    if len >= 5 and buf(0, 5):string() == "kill:" then
        return dissect_text_kill(buf, pinfo, tree)
    end
    pinfo.cols.protocol = "Wheelcast"
    local t = tree:add(wc, buf(), "Wheelcast")
    if len < HEADER_LENGTH then
        t:add_proto_expert_info(e_malformed, "TOO_SHORT: " .. len .. " bytes")
        return len
    end
    local header = t:add(wc, buf(0, HEADER_LENGTH), "Header")
    header:add_le(f.magic, buf(0, 2))
    header:add(f.version, buf(2, 1))
    local flags_item = header:add(f.flags, buf(3, 1))
    flags_item:add(f.authenticated, buf(3, 1))
    flags_item:add(f.direct, buf(3, 1))
    header:add_le(f.cluster, buf(4, 4))
    header:add_le(f.sender, buf(8, 8))
    header:add_le(f.sequence, buf(16, 8))
    header:add_le(f.timestamp, buf(24, 8))
    header:add_le(f.frame_count, buf(32, 2))
    header:add(f.key_id, buf(34, 1))
    header:add(f.reserved, buf(35, 1))
    if buf(0, 2):le_uint() ~= 0x4357 then
        t:add_proto_expert_info(e_malformed, "BAD_MAGIC")
        return len
    end
    if buf(2, 1):uint() ~= 1 then
        t:add_proto_expert_info(e_malformed, "UNSUPPORTED_VERSION " .. buf(2, 1):uint())
        return len
    end
    local authenticated = bit.band(buf(3, 1):uint(), 1) == 1
    local frames_end = len
    if authenticated then
        if len < HEADER_LENGTH + TAG_LENGTH then
            t:add_proto_expert_info(e_malformed, "TOO_SHORT for a tag: " .. len .. " bytes")
            return len
        end
        frames_end = len - TAG_LENGTH
    end
    local count = buf(32, 2):le_uint()
    if count == 0 then
        t:add_proto_expert_info(e_malformed, "NO_FRAMES")
        return len
    end
    local at = HEADER_LENGTH
    local names = {}
    for _ = 1, count do
        local next_at, err = dissect_frame(buf, at, frames_end, t, pinfo, names)
        if err then
            t:add_proto_expert_info(e_malformed, err)
            return len
        end
        at = next_at
    end
    if at ~= frames_end then
        t:add_proto_expert_info(e_malformed, (at < frames_end and "TRAILING_BYTES " or "FRAME_COUNT_MISMATCH ") .. (frames_end - at))
    end
    if authenticated then
        t:add(f.tag, buf(frames_end, TAG_LENGTH))
    end
    local seen = {}
    local summary = {}
    for _, n in ipairs(names) do
        if not seen[n] then
            seen[n] = 0
            summary[#summary + 1] = n
        end
        seen[n] = seen[n] + 1
    end
    local parts = {}
    for _, n in ipairs(summary) do
        parts[#parts + 1] = seen[n] > 1 and (n .. " x" .. seen[n]) or n
    end
    pinfo.cols.info = "seq " .. tostring(buf(16, 8):le_int64()) .. " " .. table.concat(parts, ", ")
        .. (authenticated and " [tag]" or "")
        .. (bit.band(buf(3, 1):uint(), 2) == 2 and " [direct]" or "")
    return len
end

local function heuristic(buf, pinfo, tree)
    local len = buf:len()
    if len >= 5 and buf(0, 5):string() == "kill:" then
        wc.dissector(buf, pinfo, tree)
        return true
    end
    if len >= HEADER_LENGTH and buf(0, 2):le_uint() == 0x4357 and buf(2, 1):uint() == 1 then
        wc.dissector(buf, pinfo, tree)
        return true
    end
    return false
end

local udp_port = DissectorTable.get("udp.port")
udp_port:add(port_pref, wc)
wc.prefs_changed = function()
    if wc.prefs.port ~= port_pref then
        udp_port:remove(port_pref, wc)
        port_pref = wc.prefs.port
        udp_port:add(port_pref, wc)
    end
end
wc:register_heuristic("udp", heuristic)
