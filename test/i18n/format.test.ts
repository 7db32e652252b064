import { expect } from 'chai';
import { formatChinaTime, formatYuan, translateValidation } from '../../src/i18n/format.ts';
import { messages, nameOf } from '../../src/i18n/messages.ts';

describe('Shared formatting and the message catalogue', () => {
  it('translates ajv and engine messages, never printing Infinity', () => {
    expect(translateValidation('must be between 0.01 and Infinity', 'zh-CN')).to.equal('须不小于 0.01');
    expect(translateValidation('must be between 0.01 and Infinity', 'en')).to.equal('must be at least 0.01');
    expect(translateValidation('must be between 1 and 10000', 'zh-CN')).to.equal('须在 1 至 10,000 之间');
    expect(translateValidation('is required', 'zh-CN')).to.equal('必填');
    expect(translateValidation("must have required property 'reason'", 'zh-CN')).to.equal('必填');
    expect(translateValidation('must be an amount in 万元 with at most 6 decimals', 'zh-CN')).to.equal('须为金额（万元），最多 6 位小数');
    expect(translateValidation('is needed by step deductible', 'zh-CN', (k) => (k === 'deductible' ? '免赔系数' : k))).to.equal('计算“免赔系数”需要此项');
    expect(translateValidation('must be on or after 2026-01-01 (no backdating)', 'zh-CN')).to.equal('不得早于 2026-01-01（不可倒签）');
    // An unknown English message never reaches a Chinese page as English.
    expect(translateValidation('something new went wrong', 'zh-CN')).to.equal('填写有误');
  });

  it('formats money in yuan and instants in Beijing time', () => {
    expect(formatYuan(16635679)).to.equal('¥166,356.79');
    expect(formatYuan(-5)).to.equal('-¥0.05');
    expect(formatChinaTime('2026-11-30T07:30:28.539Z', 'zh-CN')).to.equal('2026-11-30 15:30 北京时间');
    expect(formatChinaTime('2026-11-30T20:00:00Z', 'en')).to.equal('2026-12-01 04:00 Beijing time');
  });

  it('names codes from the catalogue and has both languages for every key', () => {
    expect(nameOf('userRole', 'broker', 'zh-CN')).to.equal('经纪人');
    expect(nameOf('line', 'first-set-equipment', 'en')).to.equal('First-set major equipment');
    expect(nameOf('qual', 'first-domestic', 'zh-CN')).to.equal('国内首台（套）');
    expect(nameOf('line', 'unknown-line', 'zh-CN')).to.equal('unknown-line');
    for (const [key, entry] of Object.entries(messages)) {
      expect(entry.zh, key).to.be.a('string').and.not.equal('');
      expect(entry.en, key).to.be.a('string').and.not.equal('');
      expect(/[\u3400-\u9fff]/.test(entry.en), `${key}: Chinese in en`).to.equal(false);
    }
  });
});
