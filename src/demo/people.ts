// People and places of the demo county: Chinese names from a small syllable list, resident ID numbers with
// a valid ISO 7064 MOD 11-2 check digit, and township and village names.
import type { Rng } from './random.js';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '韩', '冯', '董', '程', '曹', '袁', '邓', '魏', '苏', '蒋', '贾', '丁', '薛', '田', '任'];
const GIVEN_MALE = ['伟', '强', '军', '平', '刚', '明', '建', '国', '志', '海', '东', '文', '斌', '勇', '杰', '涛', '华', '福', '贵', '生', '荣', '成', '林', '虎', '忠', '德', '喜', '宝', '全', '发'];
const GIVEN_FEMALE = ['芳', '娟', '霞', '红', '兰', '英', '梅', '花', '玲', '秀', '琴', '燕', '丽', '萍', '桂', '凤', '珍', '艳', '翠', '香', '莲', '春', '月', '云', '敏', '静', '娥', '菊', '巧', '彩'];

export const TOWNSHIP_NAMES = ['水洛镇', '南湖镇', '朱店镇', '万泉镇', '韩店镇', '阳川镇', '卧龙镇', '柳梁乡', '郑河乡', '通化镇', '杨河乡', '赵墩乡', '永宁镇', '良邑镇', '岳堡镇', '大庄镇', '盘安镇', '南坪镇', '石桥镇', '新集乡'];
const VILLAGE_FIRST = ['东', '西', '南', '北', '上', '下', '前', '后', '新', '老', '高', '李', '王', '张', '石', '杨', '马', '柳', '黄', '白', '红', '金', '青', '双', '三', '五', '大', '小', '中', '河'];
const VILLAGE_SECOND = ['庄', '沟', '湾', '坪', '川', '岔', '塬', '峪', '堡', '岘', '寨', '坡', '咀', '河', '梁', '台', '洼', '岭', '山', '集'];

export function surname(rng: Rng): string {
  return rng.pick(SURNAMES);
}

/** A given name of one or two characters. */
export function givenName(rng: Rng, male: boolean): string {
  const list = male ? GIVEN_MALE : GIVEN_FEMALE;
  return rng.chance(0.7) ? rng.pick(list) + rng.pick(list) : rng.pick(list);
}

export function fullName(rng: Rng, male: boolean, family?: string): string {
  return (family ?? surname(rng)) + givenName(rng, male);
}

export function villageName(rng: Rng, used: Set<string>): string {
  for (;;) {
    const name = `${rng.pick(VILLAGE_FIRST)}${rng.pick(VILLAGE_SECOND)}村`;
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
    if (used.size > 500) {
      const numbered = `${name.slice(0, -1)}${used.size}村`;
      used.add(numbered);
      return numbered;
    }
  }
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The check character of the first 17 digits of a resident ID number (GB 11643, ISO 7064 MOD 11-2). */
export function idCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/** Hands out unique ID numbers: region, birth date, a three-digit sequence whose parity is the sex, check digit. */
export class IdNumbers {
  private readonly used = new Set<string>();
  constructor(private readonly region: string) {}

  next(rng: Rng, birth: string, male: boolean): string {
    const date = birth.replaceAll('-', '');
    for (let attempt = 0; ; attempt++) {
      let seq = rng.int(0, 499) * 2 + (male ? 1 : 0);
      if (attempt > 20) seq = (attempt * 2 + (male ? 1 : 0)) % 1000;
      const first17 = `${this.region}${date}${String(seq).padStart(3, '0')}`;
      const id = first17 + idCheckDigit(first17);
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}

/** A birth date for someone of `age` on 1 January of `year`. */
export function birthDate(rng: Rng, year: number, age: number): string {
  const y = year - age - 1;
  const m = rng.int(1, 12);
  const d = rng.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
