// i18n: the dashboard's labels in Chinese (the default, with the terms of
// the work-safety office's glossary) and English. t(key) looks a label up
// in the current language; a missing label shows its key, so a gap is
// visible instead of silently empty.

const labels = {
  zh: {
    "app.title": "重大危险源在线监测",
    "nav.overview": "总览", "nav.alarms": "报警", "nav.trend": "趋势",
    "nav.hazards": "隐患台账", "nav.dispatch": "每日调度",
    "signin.title": "使用令牌登录", "signin.help": "令牌由管理员使用 hw-admin 签发。",
    "signin.submit": "登录", "signin.out": "退出", "signin.bad": "令牌无效或已过期",
    "live.open": "实时", "live.connecting": "连接中", "live.closed": "已断开",
    "dialog.ok": "确定", "dialog.cancel": "取消",
    "overview.title": "企业总览（按区县）", "overview.none": "没有可见的企业",
    "ent.normal": "正常", "ent.alarm": "报警", "ent.offline": "网关离线",
    "ent.points": "监测点",
    "alarms.title": "实时报警", "alarms.none": "当前没有报警",
    "alarms.showReturned": "显示已恢复",
    "col.level": "级别", "col.time": "时间", "col.district": "区县",
    "col.enterprise": "企业", "col.point": "监测点", "col.condition": "报警类型",
    "col.value": "当前值", "col.state": "状态", "col.actions": "操作",
    "col.id": "编号", "col.title": "隐患", "col.grade": "等级", "col.status": "状态",
    "col.deadline": "整改期限", "col.unit": "责任单位", "col.origin": "来源",
    "level.1": "一级报警", "level.2": "二级报警",
    "state.normal": "已恢复", "state.unacked": "未确认", "state.acked": "已确认",
    "state.rtn_unacked": "已恢复未确认", "state.shelved": "搁置",
    "state.out_of_service": "停用",
    "cond.high_high": "高高限", "cond.high": "高限", "cond.low": "低限",
    "cond.low_low": "低低限", "cond.rate_of_change": "变化率超限",
    "cond.stale": "数据中断", "cond.sensor_fault": "传感器故障",
    "cond.gateway_offline": "网关离线", "cond.methane_alarm": "甲烷报警",
    "cond.methane_power_off": "甲烷断电",
    "act.ack": "确认", "act.shelve": "搁置", "act.trend": "趋势",
    "ack.title": "确认报警", "ack.comment": "处置意见",
    "shelve.title": "搁置报警", "shelve.reason": "搁置原因", "shelve.for": "搁置时长",
    "hours": "小时",
    "done.ack": "已确认报警", "done.shelve": "已搁置报警", "done.hazard": "隐患已更新",
    "trend.title": "监测点趋势", "trend.enterprise": "企业", "trend.point": "监测点",
    "trend.empty": "该时段没有数据", "trend.mean": "均值", "trend.band": "最小/最大",
    "limit.high_high": "高高限", "limit.high": "高限", "limit.low": "低限",
    "limit.low_low": "低低限",
    "hazards.title": "隐患台账", "hazards.none": "没有符合条件的隐患",
    "hazards.all": "全部", "hazards.overdue": "仅逾期", "hazards.search": "查询",
    "hazards.more": "更多", "hazards.history": "记录", "hazards.export": "导出 CSV",
    "grade.general": "一般隐患", "grade.major": "重大隐患",
    "status.open": "待整改", "status.rectifying": "整改中",
    "status.awaiting_verification": "待验收", "status.closed": "已销号",
    "status.cancelled": "已撤销",
    "origin.alarm": "报警", "origin.inspection": "监督检查",
    "origin.self_report": "企业自查自报",
    "overdue": "逾期",
    "tr.rectification": "制定整改方案", "tr.submit": "整改完成", "tr.verify": "验收",
    "tr.cancel": "撤销", "tr.reopen": "恢复",
    "f.owner": "整改负责人", "f.measures": "整改措施", "f.funds_yuan": "整改资金（元）",
    "f.deadline": "限期整改日期", "f.contingency": "应急预案", "f.note": "说明",
    "f.passed": "验收结论", "f.reason": "原因",
    "verify.pass": "验收合格，销号", "verify.fail": "验收不合格，退回整改",
    "err.network": "无法连接监测中心",
  },
  en: {
    "app.title": "Major hazard source monitoring",
    "nav.overview": "Overview", "nav.alarms": "Alarms", "nav.trend": "Trend",
    "nav.hazards": "Hazard ledger", "nav.dispatch": "Daily dispatch",
    "signin.title": "Sign in with a token", "signin.help": "Tokens are issued with hw-admin.",
    "signin.submit": "Sign in", "signin.out": "Sign out", "signin.bad": "Token invalid or expired",
    "live.open": "live", "live.connecting": "connecting", "live.closed": "disconnected",
    "dialog.ok": "OK", "dialog.cancel": "Cancel",
    "overview.title": "Enterprises by district", "overview.none": "No enterprise visible",
    "ent.normal": "normal", "ent.alarm": "alarm", "ent.offline": "gateway offline",
    "ent.points": "points",
    "alarms.title": "Live alarms", "alarms.none": "No alarms",
    "alarms.showReturned": "show returned",
    "col.level": "Level", "col.time": "Time", "col.district": "District",
    "col.enterprise": "Enterprise", "col.point": "Point", "col.condition": "Condition",
    "col.value": "Value", "col.state": "State", "col.actions": "Actions",
    "col.id": "No.", "col.title": "Hazard", "col.grade": "Grade", "col.status": "Status",
    "col.deadline": "Deadline", "col.unit": "Responsible unit", "col.origin": "Origin",
    "level.1": "Level 1", "level.2": "Level 2",
    "state.normal": "returned", "state.unacked": "unacknowledged",
    "state.acked": "acknowledged", "state.rtn_unacked": "returned, unacknowledged",
    "state.shelved": "shelved", "state.out_of_service": "out of service",
    "cond.high_high": "high-high", "cond.high": "high", "cond.low": "low",
    "cond.low_low": "low-low", "cond.rate_of_change": "rate of change",
    "cond.stale": "stale", "cond.sensor_fault": "sensor fault",
    "cond.gateway_offline": "gateway offline", "cond.methane_alarm": "methane alarm",
    "cond.methane_power_off": "methane power-off",
    "act.ack": "Acknowledge", "act.shelve": "Shelve", "act.trend": "Trend",
    "ack.title": "Acknowledge alarm", "ack.comment": "Comment",
    "shelve.title": "Shelve alarm", "shelve.reason": "Reason", "shelve.for": "Shelve for",
    "hours": "hours",
    "done.ack": "Alarm acknowledged", "done.shelve": "Alarm shelved", "done.hazard": "Record updated",
    "trend.title": "Point trend", "trend.enterprise": "Enterprise", "trend.point": "Point",
    "trend.empty": "No data in this span", "trend.mean": "mean", "trend.band": "min/max",
    "limit.high_high": "high-high", "limit.high": "high", "limit.low": "low",
    "limit.low_low": "low-low",
    "hazards.title": "Hazard ledger", "hazards.none": "No matching records",
    "hazards.all": "all", "hazards.overdue": "overdue only", "hazards.search": "Search",
    "hazards.more": "More", "hazards.history": "History", "hazards.export": "Export CSV",
    "grade.general": "general", "grade.major": "major",
    "status.open": "open", "status.rectifying": "rectifying",
    "status.awaiting_verification": "awaiting verification", "status.closed": "closed",
    "status.cancelled": "cancelled",
    "origin.alarm": "alarm", "origin.inspection": "inspection",
    "origin.self_report": "self-report",
    "overdue": "overdue",
    "tr.rectification": "Rectification plan", "tr.submit": "Rectified", "tr.verify": "Verify",
    "tr.cancel": "Cancel", "tr.reopen": "Reopen",
    "f.owner": "Owner", "f.measures": "Measures", "f.funds_yuan": "Funds (yuan)",
    "f.deadline": "Deadline", "f.contingency": "Contingency plan", "f.note": "Note",
    "f.passed": "Result", "f.reason": "Reason",
    "verify.pass": "passed, close", "verify.fail": "failed, back to rectifying",
    "err.network": "Cannot reach the monitoring center",
  },
};

const stored = localStorage.getItem("hw.lang");
let lang = stored === "en" ? "en" : "zh";

// t returns the label of key in the current language.
export function t(key) {
  return labels[lang][key] ?? key;
}

// language is "zh" or "en".
export function language() {
  return lang;
}

// setLanguage switches and remembers the language; the caller re-renders.
export function setLanguage(l) {
  lang = l === "en" ? "en" : "zh";
  localStorage.setItem("hw.lang", lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
}

// formatTime shows a time in the operator's language and time zone.
export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
}
